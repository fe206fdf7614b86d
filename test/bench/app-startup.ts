// The app's main-process start-up work in a fresh process, stage by stage (what Electron's main runs before
// the first folder shows): load the core modules, create the app core (handlers, dispatcher), open the vault,
// open the sealed mail store, list the first folder.
//   node test/bench/app-startup.ts fill PROFILE ROWS   → creates the vault and fills the store with ROWS mails
//   node test/bench/app-startup.ts start PROFILE       → prints one JSON line of stage times (ms)
// The vault key: the OS keychain when a Secret Service session is up (SIEGELPOST_TEST_KEYRING=1, as under
// test/helpers/with-keyring.sh), else a passphrase (scrypt: the passphrase vault's deliberate cost).
// Modules load from the .ts sources (Electron's bundle needs the Electron binary), so "modules" is an upper bound;
// V8's compile cache (beside the profile, warmed by `fill`) stands in for the second start of an installed app.
import { enableCompileCache } from 'node:module'

const [operation, profileDir, rowsArg] = process.argv.slice(2) as [string, string, string | undefined]
enableCompileCache(`${profileDir}-compile-cache`)
const keychain = process.env.SIEGELPOST_TEST_KEYRING === '1'
const stages: Record<string, number> = { processStart: 0 }
const mark = (name: string, since: number) => (stages[name] = Math.round((performance.now() - since) * 10) / 10)

let t = performance.now()
stages.nodeReady = Math.round(t)
const [{ createAppCore }, { MailStore }, { createOsKeychain }] = await Promise.all([
  import('../../main/app-core.ts'),
  import('../../main/core/mailbox/mail-store.ts'),
  import('../../main/platform/os-keychain.ts'),
])
mark('modules', t)

const keySource = async () =>
  keychain
    ? ({ mode: 'keychain', store: createOsKeychain() } as const)
    : ({ mode: 'passphrase', passphrase: new TextEncoder().encode('bench-startup-tresor') } as const)

t = performance.now()
const core = createAppCore({
  profileDir,
  keySource,
  appInfo: { name: 'Siegelpost', version: 'bench', platform: process.platform, runtime: process.versions as never },
  trustedOrigins: ['app://siegelpost'],
  chooseSavePath: async () => null,
  writeClipboard: async () => undefined,
})
mark('appCore', t)

t = performance.now()
const vault = await core.getVault()
mark('vaultOpen', t)

t = performance.now()
const store = new MailStore(profileDir, vault.deriveKey('messages'))
mark('storeOpen', t)

if (operation === 'fill') {
  const rows = Number(rowsArg ?? 1000)
  const body = 'Sehr geehrte Damen und Herren,\r\n\r\nanbei die Unterlagen.\r\n'
  store.transaction(() => {
    for (let i = 0; i < rows; i++) {
      const date = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString()
      const mail =
        `From: Kanzlei <advisor@kanzlei.test>\r\nTo: client@mandant.test\r\nSubject: Unterlagen ${i}\r\n` +
        `Date: ${date}\r\nMessage-ID: <${i}@bench.test>\r\nMIME-Version: 1.0\r\n` +
        `Content-Type: text/plain; charset=utf-8\r\n\r\n${body}`
      store.add('bench', 'INBOX', '1', i + 1, Buffer.from(mail), new Date())
    }
  })
} else {
  t = performance.now()
  const listed = store.list({ account: 'bench', folder: 'INBOX' })
  mark('firstFolder', t)
  stages.rows = listed.length
}
store.close()
stages.total = Math.round(performance.now())
stages.keychain = keychain ? 1 : 0
console.log(JSON.stringify(stages))
