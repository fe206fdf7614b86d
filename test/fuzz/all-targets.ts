import { fuzzTargets, type FuzzTarget } from './targets.ts'
import { vaultContent, vaultFile } from './targets-vault.ts'

/** Every fuzz target, in the order the bounded test run takes them. */
export const allFuzzTargets: readonly FuzzTarget[] = [...fuzzTargets, vaultFile, vaultContent]
