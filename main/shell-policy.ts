/**
 * The security settings of the desktop shell, as plain data so tests can assert them without
 * Electron. The *.electron.ts files only apply what is decided here.
 */

/** The UI is served from this custom scheme, never from file:// (Electron security checklist). */
export const appScheme = 'app'
export const appHost = 'siegelpost'
export const appOrigin = `${appScheme}://${appHost}`
export const appEntryUrl = `${appOrigin}/index.html`

/** The session that will render message content: every network request in it is cancelled. */
export const mailViewPartition = 'mailview'
export const blockedInMailView = ['*://*/*', 'ws://*/*', 'wss://*/*'] as const

/** The policy inside each mail frame (a <meta> in its srcdoc): no scripts, no network, inline styles and data: images only. */
export const mailFramePolicy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

/**
 * The window's own session serves only app:// (and the dev server in development). Mail frames
 * are srcdoc frames of the window, so they share this session: every web or websocket request
 * in it is cancelled, whatever the sanitizer or the frame's CSP may have missed.
 */
export function isCancelledInWindow(url: string, trustedOrigins: readonly string[]): boolean {
  return !isTrustedOrigin(url, trustedOrigins)
}

/**
 * Strict CSP for the app UI. Scripts and fonts only from the app itself; no network, no plugins,
 * no frames of other origins, no form posts. Message content is rendered in sandboxed srcdoc
 * frames, which inherit this policy and add their own stricter one (`mailFramePolicy`); because
 * policies only intersect, this one must allow what a styled mail needs: inline styles and
 * data: images (cid: images are rewritten to data: URLs). Neither loads anything from the network.
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/** The same policy for the <meta> tag in index.html; browsers ignore frame-ancestors there. */
export const metaContentSecurityPolicy = contentSecurityPolicy
  .split('; ')
  .filter((directive) => !directive.startsWith('frame-ancestors'))
  .join('; ')

export interface WindowOptionsInput {
  preloadPath: string
  iconPath?: string
}

/** The main window's options: sandboxed, isolated, no Node, no remote content features. */
export function createMainWindowOptions({ preloadPath, iconPath }: WindowOptionsInput) {
  return {
    width: 1200,
    height: 800,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'Siegelpost',
    ...(iconPath ? { icon: iconPath } : {}),
    webPreferences: {
      preload: preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
    },
  } as const
}

/**
 * Whether `url` belongs to one of `trustedOrigins`, compared as scheme + host: WHATWG URL gives
 * custom schemes such as app:// a `null` origin, so `URL.origin` cannot be used.
 */
export function isTrustedOrigin(url: string, trustedOrigins: readonly string[]): boolean {
  try {
    const parsed = new URL(url)
    return trustedOrigins.includes(`${parsed.protocol}//${parsed.host}`)
  } catch {
    return false
  }
}

/** Navigation inside the window is allowed only within our own origin (and the dev server in development). */
export const isAllowedNavigation = isTrustedOrigin
