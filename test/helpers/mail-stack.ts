import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The real Postfix + Dovecot stack of test/integration/mailstack.sh, started and stopped by the tests
 * (no systemd here). Needs root and the Debian packages postfix, dovecot-core, dovecot-imapd.
 */
const script = fileURLToPath(new URL('../integration/mailstack.sh', import.meta.url))

const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0
export const hasMailStack = has('postfix') && has('dovecot') && has('doveadm') && process.getuid?.() === 0
export const mailStackFix = 'run as root with the Debian packages postfix dovecot-core dovecot-imapd (.ci/run installs them)'

export interface MailStack {
  root: string
  caPath: string
  host: '127.0.0.2'
  ports: { submissions: 10465; submission: 10587; imaps: 10993; imap: 10143 }
  stop: () => void
}

export function startMailStack(): MailStack {
  const root = mkdtempSync(join(tmpdir(), 'sp-mailstack-'))
  try {
    execFileSync('bash', [script, 'start', root], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 })
  } catch (error) {
    const log = (() => {
      try {
        return readFileSync(join(root, 'log', 'postfix.log'), 'utf8').slice(-2000)
      } catch {
        return ''
      }
    })()
    spawnSync('bash', [script, 'stop', root])
    throw new Error(`mailstack.sh start failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}\n${log}`, { cause: error })
  }
  return {
    root,
    caPath: join(root, 'pki', 'ca.pem'),
    host: '127.0.0.2',
    ports: { submissions: 10465, submission: 10587, imaps: 10993, imap: 10143 },
    stop: () => {
      spawnSync('bash', [script, 'stop', root], { timeout: 30_000 })
      rmSync(root, { recursive: true, force: true })
    },
  }
}
