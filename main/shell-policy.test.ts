import { describe, expect, it } from 'vitest'
import {
  contentSecurityPolicy,
  createMainWindowOptions,
  isAllowedNavigation,
  metaContentSecurityPolicy,
} from './shell-policy.ts'

describe('main window options', () => {
  it('are the secure ones: sandbox, context isolation, no Node, web security on', () => {
    const { webPreferences } = createMainWindowOptions({ preloadPath: '/app/out/preload/index.cjs' })
    expect(webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    })
    expect(webPreferences).not.toHaveProperty('enableBlinkFeatures')
    expect(webPreferences.preload).toMatch(/\.cjs$/) // sandboxed preloads must be CommonJS
  })
})

describe('content security policy', () => {
  it('allows scripts, styles and images only from the app and nothing from the network', () => {
    const directives = Object.fromEntries(
      contentSecurityPolicy.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]),
    )
    expect(directives).toMatchObject({
      'default-src': "'none'",
      'script-src': "'self'",
      // Inherited by the sandboxed srcdoc mail frames, which need inline styles and data: images.
      'style-src': "'self' 'unsafe-inline'",
      'img-src': "'self' data:",
      'connect-src': "'none'",
      'object-src': "'none'",
      'base-uri': "'none'",
      'frame-ancestors': "'none'",
    })
    expect(contentSecurityPolicy).not.toMatch(/unsafe-eval|https?:|\*/)
    expect(directives['script-src']).toBe("'self'")
    expect(metaContentSecurityPolicy).not.toContain('frame-ancestors')
  })
})

describe('navigation', () => {
  it('stays inside our own origin', () => {
    expect(isAllowedNavigation('app://siegelpost/index.html#keys', ['app://siegelpost'])).toBe(true)
    expect(isAllowedNavigation('https://phish.example/login', ['app://siegelpost'])).toBe(false)
    expect(isAllowedNavigation('file:///etc/passwd', ['app://siegelpost'])).toBe(false)
    expect(isAllowedNavigation('not a url', ['app://siegelpost'])).toBe(false)
  })
})

describe('message-content session', () => {
  it('cancels every web and websocket request', async () => {
    const { blockedInMailView, mailViewPartition } = await import('./shell-policy.ts')
    expect(mailViewPartition).not.toMatch(/^persist:/) // nothing from message views is kept on disk
    expect(blockedInMailView).toEqual(expect.arrayContaining(['*://*/*', 'ws://*/*', 'wss://*/*']))
  })

  it('cancels every request of the window that is not for the app itself (mail frames share its session)', async () => {
    const { isCancelledInWindow, mailFramePolicy } = await import('./shell-policy.ts')
    expect(isCancelledInWindow('http://127.0.0.1:8080/pixel.gif', ['app://siegelpost'])).toBe(true)
    expect(isCancelledInWindow('https://tracker.example/x', ['app://siegelpost'])).toBe(true)
    expect(isCancelledInWindow('wss://tracker.example/x', ['app://siegelpost'])).toBe(true)
    expect(
      isCancelledInWindow('http://localhost:5173/src/main.tsx', ['app://siegelpost', 'http://localhost:5173']),
    ).toBe(false)
    expect(mailFramePolicy).toBe("default-src 'none'; img-src data:; style-src 'unsafe-inline'")
  })
})
