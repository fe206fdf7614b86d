import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { GpgHome, hasGpg } from '../helpers/gpg.ts'
import { makeTestPki, openssl } from '../helpers/smime-pki.ts'
import {
  isLimitsWarning,
  lowerLimits,
  raiseLimitsFor,
  sameFile,
  streamingPathRows,
  writeRandomFile,
} from './big-message.ts'
import { composeSendRows } from './compose-send-rss.ts'
import { mailboxSyncRows, mailListCliRow } from './mailbox-rows.ts'
import { formatReport, type Outcome, type Row } from './report-table.ts'
import { smimeForeignOpenRow } from './smime-foreign-open.ts'
import { windowListRows } from './window-list.ts'
import { windowRows } from './window-tasks.ts'

/**
 * `npm run bench`: one table with every row of the performance goals, Siegelpost through the whole CLI (as users
 * run it) beside its yardstick (gpg, openssl, `node -e 0`), measured side by side in this one run. A measurement,
 * never a test. Settings (environment):
 *   BENCH_LARGE_MB=100,1024  large-message sizes (MB of random attachment)    BENCH_RUNS=3  runs per cell (median)
 *   BENCH_STARTUP_ROWS=1000  mails in the store for the start-up rows   BENCH_SYNC_N=10000  messages for the sync row
 *   BENCH_WINDOW_MB=100  attachment (MiB) opened and sent in the window rows (plus 25 opened)
 *   BENCH_ONLY=messages  only the message rows (small, large, compose --send, the streaming path)
 *   BENCH_STREAM_MB=2048  attachment (MiB) of the "through the streaming path, limits raised" rows (0: left out)
 * Sizes above the policy of limits.ts run with the size limits raised by SIEGELPOST_LIMITS_FILE (big-message.ts).
 * Under test/helpers/with-keyring.sh (as `npm run bench` runs it) the vault key is in the OS keychain, the product's
 * default; without a Secret Service the vault uses a passphrase, and every vault-opening row pays its scrypt.
 */
const largeMb = (process.env.BENCH_LARGE_MB ?? '100,1024')
  .split(',')
  .map(Number)
  .filter((n) => n > 0)
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3))
const startupRows = Number(process.env.BENCH_STARTUP_ROWS ?? 1000)
const windowMb = Number(process.env.BENCH_WINDOW_MB ?? 100)
const keychain = process.env.SIEGELPOST_TEST_KEYRING === '1'
const cli = fileURLToPath(new URL('../../bin/siegelpost.js', import.meta.url))
const startup = fileURLToPath(new URL('./app-startup.ts', import.meta.url))
if (!existsSync(new URL('../../out/main/cli.js', import.meta.url))) {
  console.error('bench: out/main/cli.js is missing (npm run build)')
  process.exit(1)
}

const dir = mkdtempSync(join(tmpdir(), 'sp-bench-report-'))
const profile = join(dir, 'profile')
const vaultArgs = keychain ? [] : ['--vault-passphrase-file', join(dir, 'vp')]
const env = {
  ...process.env,
  LANG: 'C',
  ...(keychain ? {} : { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/siegelpost-bus' }),
}
const node = process.execPath
const sp = (...args: string[]) => [node, cli, ...args, '--profile', profile, ...vaultArgs]

function firstError(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => !isLimitsWarning(l))
  const line = lines.find((l) => /siegelpost:|error|failed/i.test(l)) ?? lines.join('\n').trim().split('\n')[0]
  return (line ?? 'failed').replace(/^siegelpost: /, '').slice(0, 90)
}

/** The standard output of the last run `timed` measured (the `open` whose verdicts and attachment are checked). */
let lastStdout = ''

/** Median wall time over BENCH_RUNS runs; CPU (user+sys) and peak RSS from GNU time (children included). */
function timed(command: string[], prepare?: () => void): Outcome {
  const results = []
  for (let i = 0; i < runs; i++) {
    prepare?.()
    const start = process.hrtime.bigint()
    const run = spawnSync('/usr/bin/time', ['-f', 'bench-time %U %S %M', ...command], {
      cwd: dir,
      env,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    })
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    const time = /bench-time ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(run.stderr)
    if (run.status !== 0 || !time) return { na: firstError(run.stderr) }
    lastStdout = run.stdout
    results.push({ seconds, cpu: Number(time[1]) + Number(time[2]), rssMiB: Number(time[3]) / 1024 })
  }
  results.sort((a, b) => a.seconds - b.seconds)
  return { ...results[Math.floor(results.length / 2)]!, rssMiB: Math.max(...results.map((r) => r.rssMiB)) }
}

function must(command: string[]): string {
  const run = spawnSync(command[0]!, command.slice(1), { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 26 })
  if (run.status !== 0) throw new Error(`${command.join(' ')} failed: ${run.stderr}`)
  return run.stdout
}

/** Checks the last timed `open --json --save-attachments`: both verdicts and the saved attachment's SHA-256. */
async function checkLastOpen(saved: string, original: string): Promise<Outcome | null> {
  const security = (
    JSON.parse(lastStdout) as { security: { encryption: { state: string }; signature: { state: string } } }
  ).security
  if (security.encryption.state !== 'encrypted' || security.signature.state !== 'valid')
    return { na: `verdicts ${security.encryption.state}/${security.signature.state}` }
  if (!(await sameFile(saved, original))) return { na: 'the opened attachment differs' }
  return null
}

const rows: Row[] = []
const gpg = hasGpg ? new GpgHome() : null
try {
  writeFileSync(join(dir, 'vp'), 'bench-tresor\n')
  writeFileSync(join(dir, 'pw'), 'bench\n')
  // S/MIME: Alice's certificate and key (PKCS#12) and the CA as trust anchor.
  mkdirSync(join(dir, 'pki'))
  const pki = makeTestPki(join(dir, 'pki'))
  openssl(
    ['pkcs12', '-export', '-inkey', pki.alice.keyFile, '-in', pki.alice.certFile, '-certfile', pki.ca.certFile].concat([
      '-out',
      'alice.p12',
      '-passout',
      'pass:bench',
    ]),
    { cwd: pki.dir },
  )
  must(sp('certs', 'trust', pki.ca.certFile))
  must(sp('keys', 'import', join(pki.dir, 'alice.p12'), '--passphrase-file', join(dir, 'pw')))
  // OpenPGP: Anna (us, secret key without passphrase in both tools) writes to Max (public key only).
  if (gpg) {
    gpg.generate('Anna <anna@kanzlei.test>', '')
    gpg.generate('Max <max@mandant.test>', '')
    writeFileSync(join(dir, 'anna.asc'), gpg.ok(['--armor', '--export-secret-keys', 'anna@kanzlei.test']).stdout)
    writeFileSync(join(dir, 'max.asc'), gpg.ok(['--armor', '--export', 'max@mandant.test']).stdout)
    must(sp('keys', 'import', join(dir, 'anna.asc')))
    must(sp('keys', 'import', join(dir, 'max.asc')))
  }
  const gpgCmd = (...args: string[]) => ['gpg', '--homedir', gpg!.dir, '--batch', '--yes', '--quiet', ...args]
  const alice = '-signer pki/alice.pem -inkey pki/alice.key'
  const sslEnc = (stream: boolean) => {
    const streamed = stream ? ' -stream' : ''
    return (
      `openssl cms -sign -binary -nodetach${streamed} -in in.bin ${alice} -outform DER | ` +
      `openssl cms -encrypt -binary -aes256${streamed} -inform DER -outform DER -out ossl.der pki/alice.pem`
    )
  }
  const sslDec = [
    'openssl cms -decrypt -binary -inform DER -in ossl.der -recip pki/alice.pem -inkey pki/alice.key -outform DER',
    'openssl cms -verify -binary -inform DER -CAfile pki/ca.pem -purpose smimesign -out ossl.out',
  ].join(' | ')

  type Target = (op: 'enc' | 'dec', tech: 'pgp' | 'smime') => string
  const messageRows = async (bytes: number, size: string, goal: string, target: Target) => {
    writeRandomFile(join(dir, 'in.bin'), bytes)
    raiseLimitsFor(dir, bytes, env)
    const checkOpened = () => checkLastOpen(join(dir, 'att', 'in.bin'), join(dir, 'in.bin'))
    // OpenPGP (RFC 3156 signed+encrypted PGP/MIME) vs gpg --sign --encrypt, armored, uncompressed
    const pgpCompose = ['compose', '--from', 'anna@kanzlei.test', '--to', 'max@mandant.test', '--encrypt', 'openpgp']
    const pgpEnc = gpg ? timed(sp(...pgpCompose, '--sign', '--attach', 'in.bin', '--out', 'pgp.eml')) : { na: 'no gpg' }
    const pgpDecRaw =
      'seconds' in pgpEnc
        ? timed(sp('open', 'pgp.eml', '--json', '--save-attachments', 'att'), () =>
            rmSync(join(dir, 'att'), { recursive: true, force: true }),
          )
        : pgpEnc
    const pgpDec = 'seconds' in pgpDecRaw ? ((await checkOpened()) ?? pgpDecRaw) : pgpDecRaw
    const gpgArgs = ['--trust-model', 'always', '--armor', '--compress-algo', 'none', '-u', 'anna@kanzlei.test']
    const gpgEnc = gpg
      ? timed(
          gpgCmd(
            ...gpgArgs,
            '-r',
            'max@mandant.test',
            '-r',
            'anna@kanzlei.test',
            '--sign',
            '--encrypt',
            '-o',
            'gpg.asc',
            'in.bin',
          ),
        )
      : { na: 'no gpg' }
    const gpgDec = gpg ? timed(gpgCmd('--decrypt', '-o', 'gpg.out', 'gpg.asc')) : { na: 'no gpg' }
    rows.push({
      goal,
      what: `OpenPGP ${size} encrypt+sign (compose)`,
      figure: pgpEnc,
      peerName: 'gpg',
      peer: gpgEnc,
      target: target('enc', 'pgp'),
    })
    rows.push({
      goal,
      what: `OpenPGP ${size} decrypt+verify (open)`,
      figure: pgpDec,
      peerName: 'gpg',
      peer: gpgDec,
      target: target('dec', 'pgp'),
    })
    // The default --encrypt auto goes through the recipient plan (split-compose), not the named technology's path.
    if (gpg && bytes > 4 * 1024 * 1024) {
      const autoCompose = ['compose', '--from', 'anna@kanzlei.test', '--to', 'max@mandant.test', '--sign']
      rows.push({
        goal: '4',
        what: `OpenPGP ${size} compose with the default --encrypt auto (through the recipient plan)`,
        figure: timed(sp(...autoCompose, '--attach', 'in.bin', '--out', 'auto.eml')),
        peerName: 'gpg',
        peer: gpgEnc,
        target: target('enc', 'pgp'),
      })
    }
    // S/MIME sign-then-encrypt .eml vs openssl cms (sign | encrypt), -stream for encryption
    const smimeCompose = ['compose', '--from', 'alice@example.org', '--to', 'alice@example.org', '--encrypt', 'smime']
    const smEnc = timed(sp(...smimeCompose, '--sign', '--attach', 'in.bin', '--out', 'smime.eml'))
    const smDecRaw =
      'seconds' in smEnc
        ? timed(sp('open', 'smime.eml', '--json', '--save-attachments', 'att'), () =>
            rmSync(join(dir, 'att'), { recursive: true, force: true }),
          )
        : smEnc
    const smDec = 'seconds' in smDecRaw ? ((await checkOpened()) ?? smDecRaw) : smDecRaw
    const sslEncStream = timed(['sh', '-c', sslEnc(true)])
    rows.push({
      goal,
      what: `S/MIME ${size} sign+encrypt (compose)`,
      figure: smEnc,
      peerName: 'openssl cms -stream',
      peer: sslEncStream,
      target: target('enc', 'smime'),
    })
    rows.push({
      goal,
      what: `S/MIME ${size} decrypt+verify (open)`,
      figure: smDec,
      peerName: 'openssl cms',
      peer: timed(['sh', '-c', sslDec]),
      target: target('dec', 'smime'),
    })
    lowerLimits(env)
    for (const file of ['in.bin', 'pgp.eml', 'smime.eml', 'gpg.asc', 'gpg.out', 'ossl.der', 'ossl.out', 'att'])
      rmSync(join(dir, file), { recursive: true, force: true })
  }

  // Goal 3: small mail and the commands that only print.
  const nodeBare = timed([node, '-e', '0'])
  rows.push({
    goal: '3',
    what: 'siegelpost --version',
    figure: timed([node, cli, '--version']),
    peerName: 'node -e 0',
    peer: nodeBare,
    target: '≤ 0.1 s',
  })
  rows.push({
    goal: '3',
    what: 'siegelpost --help',
    figure: timed([node, cli, '--help']),
    peerName: 'node -e 0',
    peer: nodeBare,
    target: '≤ 0.1 s',
  })
  // Both stay below limits.streamFromBytes (4 MiB): composed and opened in memory, in the CLI's own thread.
  await messageRows(1_000_000, '1 MB', '3', () => '≤ 0.25 s')
  await messageRows(1024 * 1024, '1 MiB', '3', () => '≤ 0.25 s')
  const pgpTarget = '≤ 1.5× gpg; ≤ 200 MiB'
  // Goals 1, 2, 4, 5: large mail (ratio, peak RSS, CPU/wall shows whether both cores work).
  for (const mb of largeMb)
    await messageRows(mb * 1024 * 1024, mb >= 1024 ? `${mb / 1024} GiB` : `${mb} MiB`, '1 2 4 5', (op, tech) =>
      tech === 'pgp' ? pgpTarget : op === 'enc' ? '≤ 2× -stream; ≤ 200 MiB' : '≤ 1.0×; ≤ 200 MiB',
    )
  // Goal 4 for mail another client wrote: OpenSSL's S/MIME (smime-foreign-open.ts).
  for (const mb of largeMb) rows.push(await smimeForeignOpenRow({ dir, env, sp, timed, checkLastOpen }, mb))
  // Goal 4: compose --send to three recipients through the Outbox's chunk files (compose-send-rss.ts).
  rows.push(...composeSendRows(largeMb.filter((mb) => mb <= 100)))
  const streamMb = Number(process.env.BENCH_STREAM_MB ?? 2048)
  if (streamMb > 0)
    rows.push(...(await streamingPathRows({ dir, env, sp, timed, checkLastOpen, hasGpg: gpg !== null }, streamMb)))
  const vaultKind = keychain ? 'keychain' : 'passphrase (scrypt)'
  // BENCH_ONLY=messages: the message rows above only (the 1 and 2 GiB runs on their own).
  if (process.env.BENCH_ONLY !== 'messages') {
    // Goal 6 (and the window's start for goal 7): the renderer's longest main-thread task in Chromium.
    const windowRowsAll = await windowRows(windowMb, startupRows)
    rows.push(...windowRowsAll.filter((row) => row.goal === '6'))
    // Goal 6: the message list (the store's window in-process, the window's longest task while 10,000 rows scroll).
    rows.push(...windowListRows())
    // Goal 7: the app's main-process start-up, stage by stage, in a fresh process.
    const startupProfile = join(dir, 'startup-profile')
    mkdirSync(startupProfile)
    must([node, startup, 'fill', startupProfile, String(startupRows)])
    const stages = JSON.parse(must([node, startup, 'start', startupProfile]).trim().split('\n').pop()!) as Record<
      string,
      number
    >
    const ms = (value: number | undefined) =>
      value === undefined ? { na: 'missing' } : { fixed: `${value.toFixed(0)} ms` }
    rows.push({
      goal: '7',
      what: 'app start: core modules (.ts sources, warm compile cache)',
      figure: ms(stages.modules),
      peerName: '',
      peer: { na: '' },
      target: 'reported',
    })
    rows.push({
      goal: '7',
      what: `app start: vault open (${vaultKind})`,
      figure: ms(stages.vaultOpen),
      peerName: '',
      peer: { na: '' },
      target: 'reported',
    })
    rows.push({
      goal: '7',
      what: 'app start: mail store open',
      figure: ms(stages.storeOpen),
      peerName: '',
      peer: { na: '' },
      target: 'reported',
    })
    rows.push({
      goal: '7',
      what: `app start: first folder listed (${stages.rows} mails)`,
      figure: ms(stages.firstFolder),
      peerName: '',
      peer: { na: '' },
      target: 'reported',
    })
    rows.push({
      goal: '7',
      what: 'app start: process start → folder listed',
      figure: ms(stages.total),
      peerName: '',
      peer: { na: '' },
      target: 'reported',
    })
    rows.push(...windowRowsAll.filter((row) => row.goal === '7'))

    // Mailbox: sync from Dovecot beside a bare imapflow FETCH, listing in-process and through the whole CLI.
    rows.push(...(await mailboxSyncRows(Number(process.env.BENCH_SYNC_N ?? 10_000))))
    rows.push(mailListCliRow({ dir, cli, keychain, env, timed }))
  }

  console.log(
    `node ${process.version}; vault: ${vaultKind}; ${runs} run(s) per cell, median wall; ${new Date().toISOString()}`,
  )
  console.log(formatReport(rows))
} finally {
  if (gpg) gpg.close()
  rmSync(dir, { recursive: true, force: true })
}
