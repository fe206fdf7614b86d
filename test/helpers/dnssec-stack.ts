import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { queryDnssec } from '../../main/core/transport/dnssec-query.ts'

/**
 * A real DNSSEC setup on loopback for the DANE tests: zones signed with ldns-signzone, served by NSD
 * (authoritative) on 127.0.0.5 and validated by Unbound (recursive, trust anchors = the zones' DS) on
 * 127.0.0.6. Both run in the foreground as children of the test, with configs, keys and pid files in a
 * temp dir; they listen only on those loopback addresses, and Unbound refuses every name outside the
 * test zones (`local-zone: "." refuse`, no root hints used, outgoing queries only from 127.0.0.6).
 * Needs root and the Debian packages nsd, unbound, ldnsutils (.ci/run installs them).
 */
const sbin = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin']
const tool = (name: string) => sbin.map((dir) => join(dir, name)).find((path) => existsSync(path)) ?? null
const tools = { nsd: tool('nsd'), unbound: tool('unbound'), keygen: tool('ldns-keygen'), sign: tool('ldns-signzone') }
export const hasDnssecStack = Object.values(tools).every((path) => path !== null) && process.getuid?.() === 0
export const dnssecStackFix = 'run as root with the Debian packages nsd unbound ldnsutils (.ci/run installs them)'

const authoritativeHost = '127.0.0.5'
const resolverHost = '127.0.0.6'

export interface TestZone {
  /** Zone name without the trailing dot, e.g. "dane.test". */
  name: string
  /** Records relative to the zone origin (SOA and NS are added). */
  records: string
  /** Sign the zone and give Unbound its DS as trust anchor (default true). */
  signed?: boolean
  /** Changes the signed zone text after signing (to break a signature). */
  tamper?: (signed: string) => string
}

export interface DnssecStack {
  /** Unbound, the validating resolver: "127.0.0.6:PORT" (for SIEGELPOST_DNS). */
  resolver: string
  /** NSD, the authoritative server: "127.0.0.5:PORT". */
  authoritative: string
  logs: () => string
  stop: () => Promise<void>
}

/** A port free for both UDP and TCP on that address. */
async function freePort(host: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const tcp = createServer()
    const port = await new Promise<number>((resolve, reject) => {
      tcp.once('error', reject)
      tcp.listen(0, host, () => resolve((tcp.address() as { port: number }).port))
    })
    const udp = createSocket('udp4')
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false))
      udp.bind(port, host, () => resolve(true))
    })
    await new Promise<void>((resolve) => tcp.close(() => resolve()))
    if (udpFree) {
      await new Promise<void>((resolve) => udp.close(() => resolve()))
      return port
    }
    udp.close()
  }
  throw new Error(`no free port on ${host}`)
}

function signZone(dir: string, zone: TestZone): { file: string; ds: string } {
  const file = join(dir, `${zone.name}.zone`)
  writeFileSync(
    file,
    `$ORIGIN ${zone.name}.\n$TTL 300\n@ IN SOA ns.${zone.name}. hostmaster.${zone.name}. 1 3600 600 86400 300\n@ IN NS ns.${zone.name}.\nns IN A ${authoritativeHost}\n${zone.records}\n`,
  )
  if (zone.signed === false) return { file, ds: '' }
  const run = (args: string[]) =>
    execFileSync(args[0]!, args.slice(1), { cwd: dir, encoding: 'utf8', timeout: 30_000 }).trim()
  const ksk = run([tools.keygen!, '-a', 'ECDSAP256SHA256', '-k', zone.name])
  const zsk = run([tools.keygen!, '-a', 'ECDSAP256SHA256', zone.name])
  run([tools.sign!, '-f', `${file}.signed`, file, ksk, zsk])
  if (zone.tamper) {
    const signed = readFileSync(`${file}.signed`, 'utf8')
    const tampered = zone.tamper(signed)
    if (tampered === signed) throw new Error(`tamper did not change the signed zone ${zone.name}`)
    writeFileSync(`${file}.signed`, tampered)
  }
  return { file: `${file}.signed`, ds: readFileSync(join(dir, `${ksk}.ds`), 'utf8') }
}

function startDaemon(command: string, args: string[], log: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const keep = (chunk: Buffer) => log.push(chunk.toString('utf8'))
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  child.on('error', (error) => log.push(String(error)))
  return child
}

async function stopDaemon(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
  await exited
  clearTimeout(timer)
}

/** Ask until the server answers `name` (any rcode but REFUSED), or give up. */
async function waitForAnswer(
  child: ChildProcess,
  host: string,
  port: number,
  name: string,
  what: string,
): Promise<void> {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode})`)
    try {
      const answer = await queryDnssec({ host, port }, name, 'SOA', 1000)
      if (answer.rcode === 'NOERROR') return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${what} did not answer ${name} within 20 s`)
}

export async function startDnssecStack(zones: TestZone[]): Promise<DnssecStack> {
  const dir = mkdtempSync(join(tmpdir(), 'sp-dnssec-'))
  const log: string[] = []
  const children: ChildProcess[] = []
  const stop = async () => {
    for (const child of children.reverse()) await stopDaemon(child)
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    const built = zones.map((zone) => ({ zone, ...signZone(dir, zone) }))
    writeFileSync(join(dir, 'anchors'), built.map((z) => z.ds).join(''))
    const nsdPort = await freePort(authoritativeHost)
    writeFileSync(
      join(dir, 'nsd.conf'),
      [
        'server:',
        `  ip-address: ${authoritativeHost}@${nsdPort}`,
        '  do-ip6: no',
        '  username: ""',
        '  chroot: ""',
        `  zonesdir: "${dir}"`,
        '  database: ""',
        `  zonelistfile: "${dir}/zone.list"`,
        `  xfrdfile: "${dir}/xfrd.state"`,
        `  xfrdir: "${dir}"`,
        `  pidfile: "${dir}/nsd.pid"`,
        '  server-count: 1',
        '  hide-version: yes',
        'remote-control:',
        '  control-enable: no',
        ...built.flatMap(({ zone, file }) => ['zone:', `  name: ${zone.name}`, `  zonefile: "${file}"`]),
        '',
      ].join('\n'),
    )
    const nsd = startDaemon(tools.nsd!, ['-d', '-c', join(dir, 'nsd.conf')], log)
    children.push(nsd)
    await waitForAnswer(nsd, authoritativeHost, nsdPort, zones[0]!.name, 'nsd')

    const unboundPort = await freePort(resolverHost)
    writeFileSync(
      join(dir, 'unbound.conf'),
      [
        'server:',
        `  interface: ${resolverHost}`,
        `  port: ${unboundPort}`,
        `  outgoing-interface: ${resolverHost}`,
        '  do-ip6: no',
        '  do-daemonize: no',
        '  username: ""',
        '  chroot: ""',
        `  directory: "${dir}"`,
        `  pidfile: "${dir}/unbound.pid"`,
        '  use-syslog: no',
        '  logfile: ""',
        '  verbosity: 1',
        '  val-log-level: 2',
        '  access-control: 127.0.0.0/8 allow',
        '  do-not-query-localhost: no',
        '  module-config: "validator iterator"',
        `  trust-anchor-file: "${dir}/anchors"`,
        '  ede: yes',
        '  qname-minimisation: no',
        '  root-key-sentinel: no',
        '  trust-anchor-signaling: no',
        // Nothing outside the test zones is resolved: no root servers are ever asked.
        '  local-zone: "." refuse',
        ...zones.map((zone) => `  local-zone: "${zone.name}." transparent`),
        'remote-control:',
        '  control-enable: no',
        ...zones.flatMap((zone) => [
          'stub-zone:',
          `  name: "${zone.name}."`,
          `  stub-addr: ${authoritativeHost}@${nsdPort}`,
        ]),
        '',
      ].join('\n'),
    )
    const unbound = startDaemon(tools.unbound!, ['-d', '-c', join(dir, 'unbound.conf')], log)
    children.push(unbound)
    await waitForAnswer(unbound, resolverHost, unboundPort, zones[0]!.name, 'unbound')
    return {
      resolver: `${resolverHost}:${unboundPort}`,
      authoritative: `${authoritativeHost}:${nsdPort}`,
      logs: () => log.join(''),
      stop,
    }
  } catch (error) {
    const files = existsSync(dir) ? readdirSync(dir).join(' ') : ''
    await stop()
    throw new Error(
      `DNSSEC test stack did not start: ${(error as Error).message}\n${log.join('').slice(-3000)}\n(files: ${files})`,
      { cause: error },
    )
  }
}
