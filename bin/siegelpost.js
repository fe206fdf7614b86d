#!/usr/bin/env node
// The `siegelpost` command: checks the runtime, then runs the built CLI (out/main/cli.js).
const major = Number(process.versions.node.split('.')[0])
if (major < 24) {
  process.stderr.write(
    `siegelpost: needs Node.js 24 or newer (this is ${process.version}). Install Node.js 24 and try again.\n`,
  )
  process.exit(1)
}
// V8's code cache for the CLI and its libraries, so later runs skip most compiling. It lives in the user's cache
// folder (compiled code of Siegelpost and its libraries only, never mail or keys). NODE_COMPILE_CACHE picks another
// folder, NODE_DISABLE_COMPILE_CACHE=1 turns it off; a folder that cannot be written leaves it off, silently.
// The variable is set for the worker threads of large messages too: each reads it when it starts.
const { constants, enableCompileCache } = await import('node:module')
const compileCache = enableCompileCache(compileCacheDir())
if (compileCache.status === constants.compileCacheStatus.ENABLED)
  process.env.NODE_COMPILE_CACHE = compileCache.directory

function compileCacheDir() {
  const { env, platform } = process
  const home = env.HOME || env.USERPROFILE || '.'
  const base =
    platform === 'win32'
      ? `${env.LOCALAPPDATA || `${home}/AppData/Local`}/Siegelpost/Cache`
      : platform === 'darwin'
        ? `${home}/Library/Caches/Siegelpost`
        : `${env.XDG_CACHE_HOME || `${home}/.cache`}/siegelpost`
  return `${base}/compile-cache`
}

let cli
try {
  cli = await import('../out/main/cli.js')
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('out/main/cli.js')) {
    process.stderr.write('siegelpost: the command is not built yet. Run "npm run build" in the Siegelpost folder.\n')
    process.exit(1)
  }
  throw error
}
process.exitCode = await cli.main(process.argv.slice(2))
