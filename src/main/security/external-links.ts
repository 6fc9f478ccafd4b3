import { mainText, type MainLocale } from '../i18n'
import { describeUrl, parseExternalUrl } from './trusted-url'

/**
 * Links leave the app only through here: parsed, refused unless plain http(s), shown to the
 * user by host and in full, and opened only once the user says yes. The dialog and the OS
 * browser are injected, so this is tested without Electron.
 */
export interface ExternalLink {
  /** host[:port] as the browser will contact it; an IDN host in punycode, so a look-alike shows. */
  host: string
  /** The normalized URL: what the user is shown is exactly what is opened. */
  url: string
}

export function externalLinkFrom(raw: unknown): ExternalLink | null {
  const url = parseExternalUrl(raw)
  return url && { host: url.host, url: url.href }
}

export type ExternalLinkOutcome = 'opened' | 'declined' | 'refused' | 'busy' | 'failed'

export interface ExternalLinkDeps<Source> {
  /** Asks the user; resolves true only for an explicit yes. */
  confirm(link: ExternalLink, source: Source): Promise<boolean>
  /** Electron's shell.openExternal. */
  openExternal(url: string): Promise<void>
  log?(message: string, error?: unknown): void
}

/**
 * Returns the function that handles a page's request to open a link. It never throws: every
 * outcome is returned and each refusal or failure is logged. One question at a time, so a page
 * cannot bury the user under dialogs.
 */
export function createExternalLinkOpener<Source>(
  deps: ExternalLinkDeps<Source>
): (raw: unknown, source: Source) => Promise<ExternalLinkOutcome> {
  const log = deps.log ?? ((message, error) => console.warn(`Tagdeck: ${message}`, error ?? ''))
  let asking = false
  return async (raw, source) => {
    const link = externalLinkFrom(raw)
    if (!link) {
      log(`refused to open ${describeUrl(raw)}: only plain http(s) links open outside the app`)
      return 'refused'
    }
    if (asking) {
      log(`ignored a link to ${link.host}: a confirmation is already open`)
      return 'busy'
    }
    asking = true
    try {
      if (!(await deps.confirm(link, source))) return 'declined'
      await deps.openExternal(link.url)
      return 'opened'
    } catch (error) {
      log(`could not open the link to ${link.host}`, error)
      return 'failed'
    } finally {
      asking = false
    }
  }
}

const OPEN = 0
const CANCEL = 1

/** The native message box's options: the question names the host, the detail is the full URL. */
export function externalLinkPrompt(locale: MainLocale, link: ExternalLink) {
  return {
    type: 'question' as const,
    title: mainText(locale, 'main.external.title'),
    message: mainText(locale, 'main.external.message', { host: link.host }),
    detail: link.url,
    buttons: [mainText(locale, 'main.external.open'), mainText(locale, 'main.external.cancel')],
    // Enter and Escape both keep the user in the app; opening takes a deliberate choice.
    defaultId: CANCEL,
    cancelId: CANCEL,
    noLink: true
  }
}

/** The message box's answer (the index of the button chosen) as a yes or no. */
export function isOpenChosen(response: number): boolean {
  return response === OPEN
}
