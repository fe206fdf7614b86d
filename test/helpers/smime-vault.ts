import { readFileSync } from 'node:fs'
import type { StoredKey } from '../../main/core/keys/stored-key.ts'
import type { ComposeInput } from '../../main/core/message/compose.ts'
import { certificateToStoredKey, trustAnchorEntries } from '../../main/core/smime/smime-keys.ts'
import type { TestIdentity, TestPki } from './smime-pki.ts'

/**
 * Vault entries for the throwaway PKI of smime-pki.ts, for core tests of `open`/`compose`: an own
 * certificate (with its private key and the CA as chain), a correspondent's (public only), each
 * optionally with the SMIMECapabilities it advertised, and the CA as trust anchor.
 */
export function smimeVaultKeys(pki: TestPki) {
  const withCapabilities = (key: StoredKey, capabilities?: string[]): StoredKey =>
    capabilities ? { ...key, material: { ...key.material, capabilities } } : key
  return {
    own: (id: TestIdentity, capabilities?: string[]) =>
      withCapabilities(
        certificateToStoredKey(id.certificate, { chain: [pki.ca.certificate], pkcs8: id.pkcs8 }),
        capabilities,
      ),
    publicOnly: (id: TestIdentity, capabilities?: string[]) =>
      withCapabilities(certificateToStoredKey(id.certificate, { chain: [] }), capabilities),
    anchor: trustAnchorEntries(readFileSync(pki.ca.certFile), 'ca.pem'),
  }
}

/** Alice's message to Fran as the S/MIME core tests compose it; `over` changes single fields. */
export const smimeComposeInput = (over: Partial<ComposeInput> = {}): ComposeInput => ({
  from: 'alice@example.org',
  to: ['fran@example.org'],
  cc: [],
  subject: 'Jahresabschluss 2025',
  body: 'Guten Tag, anbei der Entwurf.',
  attachments: [
    { fileName: 'Entwurf.pdf', contentType: 'application/pdf', bytes: new TextEncoder().encode('%PDF-1.7 Entwurf') },
  ],
  encrypt: 'smime',
  sign: undefined,
  ...over,
})
