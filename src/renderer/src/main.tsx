import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import './i18n'
import { App } from './App'
import { startOffline } from './data/offline'
import { configureUpdates } from './data/updates'
import { logUncaught } from './log'
import './styles.css'
import { applyTheme } from './theme'

logUncaught(window)
applyTheme(document.documentElement)
// The offline layer: connectivity, the sync runner, interrupted downloads; before the first read.
void startOffline()
// Main checks for updates only once told the Settings switch is on (builds with a feed only).
void configureUpdates()
const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root')
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>
)
