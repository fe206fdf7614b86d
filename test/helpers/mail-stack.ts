import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ImapFlow } from 'imapflow'
import type { Account } from '../../main/core/transport/account-schema.ts'

/**
 * The real Postfix + Dovecot stack of test/integration/mailstack.sh, started and stopped by the tests
 * (no systemd here). Needs root and the Debian packages postfix, dovecot-core, dovecot-imapd.
 */
const script = fileURLToPath(new URL('../integration/mailstack.sh', import.meta.url))

const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0
export const hasMailStack = has('postfix') && has('dovecot') && has('doveadm') && process.getuid?.() === 0
export const mailStackFix =
  'run as root with the Debian packages postfix dovecot-core dovecot-imapd (.ci/run installs them)'

export interface MailStack {
  root: string
  caPath: string
  /** The stack's own loopback address: 127.0.0.2 upwards, one per running stack, so test files and worktrees can run side by side. */
  host: string
  ports: { submissions: 10465; submission: 10587; imaps: 10993; imap: 10143 }
  stop: () => void
}

/**
 * A bare imapflow session (implicit TLS, the stack's CA) as one of the stack's virtual users, whose password is
 * the address's local part + "-pw"; logged out after `use`, also when it throws.
 */
export async function asStackUser<T>(
  stack: MailStack,
  user: string,
  use: (client: ImapFlow) => Promise<T>,
): Promise<T> {
  const client = new ImapFlow({
    host: stack.host,
    port: stack.ports.imaps,
    secure: true,
    tls: { ca: readFileSync(stack.caPath) },
    auth: { user, pass: `${user.split('@')[0]}-pw` },
    logger: false,
  })
  await client.connect()
  try {
    return await use(client)
  } finally {
    await client.logout().catch(() => client.close())
  }
}

/**
 * The files of the messages in a virtual user's Maildir (`new` and `cur`; `folder` is a Maildir++ folder such as
 * `.Sent`, the INBOX without): what Postfix delivered or Dovecot stored, none while the folder does not exist.
 */
export function deliveredFiles(stack: MailStack, address: string, folder = ''): string[] {
  const [user, domain] = address.split('@') as [string, string]
  const base = join(stack.root, 'maildirs', domain, user, folder)
  return ['new', 'cur'].flatMap((sub) => {
    try {
      return readdirSync(join(base, sub)).map((name) => join(base, sub, name))
    } catch {
      return []
    }
  })
}

/** The bytes of the messages in a virtual user's Maildir (see deliveredFiles). */
export const deliveredMail = (stack: MailStack, address: string, folder = ''): Buffer[] =>
  deliveredFiles(stack, address, folder).map((file) => readFileSync(file))

/**
 * A virtual user's account as the core's transport takes it (implicit TLS on submissions and imaps, the stack's
 * CA, the password given to the session apart); `imap` replaces the IMAP endpoint (STARTTLS, a relay in between).
 */
export function stackUserAccount(stack: MailStack, name: string, user: string, imap?: Account['imap']): Account {
  return {
    name,
    email: user,
    user,
    smtp: { host: stack.host, port: stack.ports.submissions, security: 'tls' },
    imap: imap ?? { host: stack.host, port: stack.ports.imaps, security: 'tls' },
    ca: readFileSync(stack.caPath, 'utf8'),
    pin: null,
    password: { store: 'sealed', value: '' },
    created: new Date().toISOString(),
  }
}

/** Writes a virtual user's password (`<local part>-pw`) into `dir` as the file `pw-<local part>`; returns its path. */
export function writeStackPassword(dir: string, user: string): string {
  const local = user.split('@')[0]!
  const file = join(dir, `pw-${local}`)
  writeFileSync(file, `${local}-pw\n`)
  return file
}

/** `accounts add NAME` for a virtual user of this stack: implicit TLS on submissions and imaps, the stack's CA. */
export function stackAccountArgs(stack: MailStack, name: string, email: string, passwordFile: string): string[] {
  return [
    'accounts',
    'add',
    name,
    '--email',
    email,
    '--user',
    email,
    '--password-file',
    passwordFile,
    '--smtp',
    `${stack.host}:${stack.ports.submissions}`,
    '--imap',
    `${stack.host}:${stack.ports.imaps}`,
    '--smtp-security',
    'tls',
    '--imap-security',
    'tls',
    '--ca',
    stack.caPath,
  ]
}

const lockFolder = join(tmpdir(), 'siegelpost-mailstack-addresses')

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Takes the first free loopback address 127.0.0.2…127.0.0.250 (a lock folder per address; a dead owner's lock is taken over). */
function claimAddress(): { host: string; release: () => void } {
  mkdirSync(lockFolder, { recursive: true })
  for (let n = 2; n <= 250; n++) {
    const host = `127.0.0.${n}`
    const lock = join(lockFolder, host)
    try {
      mkdirSync(lock)
    } catch {
      const owner = Number.parseInt(readFileSync(join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }) || '0', 10)
      if (owner > 0 && alive(owner)) continue
      rmSync(lock, { recursive: true, force: true })
      try {
        mkdirSync(lock)
      } catch {
        continue
      }
    }
    writeFileSync(join(lock, 'pid'), String(process.pid))
    return { host, release: () => rmSync(lock, { recursive: true, force: true }) }
  }
  throw new Error('mail-stack: no free loopback address in 127.0.0.2–250')
}

/**
 * Dovecot 2.3's capabilities after login without CONDSTORE, QRESYNC and IDLE: a server where a client must
 * scan UIDs and poll.
 */
export const withoutCondstoreQresyncIdle =
  'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE SORT THREAD=REFERENCES MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 ESEARCH SEARCHRES LIST-STATUS MOVE LITERAL+ SPECIAL-USE'

export interface MailStackOptions {
  /** Postfix's message_size_limit in bytes (announced as EHLO SIZE); Postfix's default (10240000) otherwise. */
  messageSizeLimit?: number
  /** Replaces Dovecot's IMAP capability list (`imap_capability`). */
  imapCapability?: string
}

/**
 * Virtual users: advisor@kanzlei.test, archiv@kanzlei.test, client@mandant.test, max@mandant.test,
 * alice@example.org and fran@example.org (the S/MIME identities of smime-pki.ts), each with the password
 * `<local part>-pw`.
 */
export function startMailStack(options: MailStackOptions = {}): MailStack {
  const root = mkdtempSync(join(tmpdir(), 'sp-mailstack-'))
  const { host, release } = claimAddress()
  try {
    execFileSync('bash', [script, 'start', root], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
      env: {
        ...process.env,
        MAILSTACK_IP: host,
        MAILSTACK_MESSAGE_SIZE_LIMIT: options.messageSizeLimit === undefined ? '' : String(options.messageSizeLimit),
        ...(options.imapCapability ? { MAILSTACK_IMAP_CAPABILITY: options.imapCapability } : {}),
      },
    })
  } catch (error) {
    const log = (() => {
      try {
        return readFileSync(join(root, 'log', 'postfix.log'), 'utf8').slice(-2000)
      } catch {
        return ''
      }
    })()
    spawnSync('bash', [script, 'stop', root])
    release()
    throw new Error(`mailstack.sh start failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}\n${log}`, {
      cause: error,
    })
  }
  return {
    root,
    caPath: join(root, 'pki', 'ca.pem'),
    host,
    ports: { submissions: 10465, submission: 10587, imaps: 10993, imap: 10143 },
    stop: () => {
      spawnSync('bash', [script, 'stop', root], { timeout: 30_000, env: { ...process.env, MAILSTACK_IP: host } })
      rmSync(root, { recursive: true, force: true })
      release()
    },
  }
}
