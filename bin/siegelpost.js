#!/usr/bin/env node
// The `siegelpost` command: checks the runtime, then runs the built CLI (out/main/cli.js).
const major = Number(process.versions.node.split('.')[0])
if (major < 24) {
  process.stderr.write(
    `siegelpost: needs Node.js 24 or newer (this is ${process.version}). Install Node.js 24 and try again.\n`,
  )
  process.exit(1)
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
