// Writes main/cli/command-specs.json from the command modules: what the CLI must know of every command
// before it loads one (words, usage, summary, options, operands). Run after adding or changing a command:
//   node test/helpers/write-command-specs.ts
// test/cli/command-specs.test.ts fails while the file is stale.
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { loadAllCommands } from '../../main/cli/commands.ts'

export async function currentSpecs() {
  return (await loadAllCommands()).map(({ module, command }) => ({
    words: command.words,
    usage: command.usage,
    summary: command.summary,
    options: command.options,
    ...(command.operands ? { operands: command.operands } : {}),
    ...(command.vaultFirst ? { vaultFirst: command.vaultFirst } : {}),
    module,
  }))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target = fileURLToPath(new URL('../../main/cli/command-specs.json', import.meta.url))
  writeFileSync(target, `${JSON.stringify(await currentSpecs(), null, 2)}\n`)
  const prettier = spawnSync('npx', ['prettier', '--write', target], { stdio: 'inherit' })
  process.exitCode = prettier.status ?? 1
}
