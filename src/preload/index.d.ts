import type { TagdeckApi } from '../shared/api'

declare global {
  interface Window {
    /** Present in Electron (the preload); absent in the browser shell, which uses the bridge. */
    tagdeck?: TagdeckApi
  }
}
