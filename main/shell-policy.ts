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

/**
 * Strict CSP for the app UI. Scripts, styles, images and fonts only from the app itself; no
 * network, no plugins, no frames of other origins, no form posts. Message content is rendered
 * later in a sandboxed frame with its own, stricter policy.
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
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
