/**
 * RFC 5280 certification path validation, one concept per module: names.ts (name comparison),
 * working-key.ts (signatures along the path), name-constraints.ts, policy-tree.ts,
 * crl-scope.ts and crl-check.ts (revocation, §6.3), process-path.ts (§6.1), build-path.ts,
 * validate-path.ts (the entry point). Distribution points are read by ../distribution-point.ts.
 */
export { keyCompromiseReasons } from './crl-check.ts'
export { validatePath, type PathValidationInput, type PathValidationResult } from './validate-path.ts'
