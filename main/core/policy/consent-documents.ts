import { newTextDocument, muted } from '../pdf/text-writer.ts'
import type { Consent, PolicySettings } from './policy-settings.ts'

/**
 * The papers of the consent register: the agreement a client signs before the Kanzlei sends without
 * end-to-end encryption (the professional bodies expect such exceptions agreed and documented), the register
 * as a PDF report for the records, and as CSV for a spreadsheet.
 */
type Lang = 'de' | 'en'

const channelText: Record<Consent['channel'], Record<Lang, string>> = {
  e2e: {
    de: 'nur Ende-zu-Ende-verschlüsselt (S/MIME oder OpenPGP)',
    en: 'end-to-end encrypted only (S/MIME or OpenPGP)',
  },
  container: {
    de: 'als Passwort-PDF (AES-256), Passwort auf getrenntem Weg',
    en: 'as a password PDF (AES-256), password by a separate channel',
  },
  tls: {
    de: 'ohne Ende-zu-Ende-Verschlüsselung, nur transportverschlüsselt (TLS)',
    en: 'without end-to-end encryption, encrypted in transport only (TLS)',
  },
  plain: {
    de: 'unverschlüsselt auf ausdrücklichen Wunsch (Transport weiterhin mit TLS)',
    en: 'unencrypted at the client’s explicit request (transport still over TLS)',
  },
}

const transmittedText: Record<NonNullable<Consent['transmitted']>, Record<Lang, string>> = {
  post: { de: 'per Brief', en: 'by letter' },
  phone: { de: 'telefonisch', en: 'by phone' },
  'in-person': { de: 'persönlich', en: 'in person' },
}

const day = (iso: string | null, lang: Lang) =>
  iso === null
    ? '–'
    : new Date(iso).toLocaleDateString(lang === 'de' ? 'de-DE' : 'en-GB', { timeZone: 'Europe/Berlin' })

/** A date the user entered (expiry, handover): kept as the end of that day in UTC, so shown in UTC. */
const dateOnly = (iso: string, lang: Lang) =>
  new Date(iso).toLocaleDateString(lang === 'de' ? 'de-DE' : 'en-GB', { timeZone: 'UTC' })

export function channelLabel(channel: Consent['channel'], lang: Lang): string {
  return channelText[channel][lang]
}

/** The agreement the client signs, German and English on the same pages. */
export async function consentLetterPdf(address: string, consent: Consent | null, now: Date): Promise<Uint8Array> {
  const { doc, writer: w } = await newTextDocument('Einwilligung / Consent')
  w.paragraph('Vereinbarung über den E-Mail-Versand vertraulicher Unterlagen', { size: 15, bold: true })
  w.paragraph('Agreement on sending confidential documents by e-mail', { size: 12, bold: true, color: muted })
  w.gap(10)
  w.paragraph(`Mandantin / Mandant (E-Mail-Adresse oder Domain): ${address}`)
  w.paragraph('Name: ______________________________________________')
  w.gap(6)
  w.paragraph(
    'Unsere Kanzlei ist zur Verschwiegenheit verpflichtet (§ 57 StBerG, § 203 StGB) und versendet vertrauliche Unterlagen ' +
      'grundsätzlich Ende-zu-Ende-verschlüsselt. Wenn Sie dafür keinen Schlüssel und kein Zertifikat haben, können wir ' +
      'auf Ihren Wunsch einen anderen Weg vereinbaren. Bitte kreuzen Sie den gewünschten Weg an:',
  )
  w.gap(4)
  for (const channel of ['e2e', 'container', 'tls', 'plain'] as const) {
    const mark = consent?.channel === channel ? '[X]' : '[  ]'
    w.paragraph(`${mark}  ${channelText[channel].de}`, { indent: 12 })
  }
  w.gap(4)
  w.paragraph(
    'Bei „nur transportverschlüsselt“ oder „unverschlüsselt“ können Anbieter auf dem Weg der E-Mail und bei Ihnen den Inhalt ' +
      'lesen. Diese Vereinbarung können Sie jederzeit formlos widerrufen; ab dann senden wir wieder nur verschlüsselt.',
  )
  w.gap(8)
  w.paragraph(
    'Our firm is bound by professional secrecy and sends confidential documents end-to-end encrypted by default. If you have ' +
      'no key or certificate for that, we can agree another way at your request. Please tick the way you want:',
    { color: muted },
  )
  for (const channel of ['e2e', 'container', 'tls', 'plain'] as const) {
    const mark = consent?.channel === channel ? '[X]' : '[  ]'
    w.paragraph(`${mark}  ${channelText[channel].en}`, { indent: 12, color: muted })
  }
  w.paragraph(
    'With "transport only" or "unencrypted", providers along the way and at your end can read the content. You may revoke ' +
      'this agreement at any time without giving reasons; from then on we send encrypted only.',
    { color: muted },
  )
  w.gap(8)
  if (consent?.channel === 'container') {
    w.paragraph(
      'Passwort für Passwort-PDFs: Wir erzeugen je Nachricht ein neues Passwort und teilen es Ihnen auf getrenntem Weg mit, ' +
        'oder wir vereinbaren ein dauerhaftes Passwort, das nie per E-Mail übermittelt wird. / Password for password PDFs: a ' +
        'new one per message, told to you by a separate channel, or a standing password that never travels by e-mail.',
    )
    w.gap(6)
  }
  w.paragraph(`Erstellt am / Prepared on: ${day(now.toISOString(), 'de')}`)
  w.gap(30)
  w.paragraph('______________________________          ______________________________')
  w.paragraph('Ort, Datum / Place, date                              Unterschrift / Signature', {
    size: 9,
    color: muted,
  })
  return doc.save()
}

/** The whole register, every entry with its history, for the Kanzlei's records. */
export async function consentReportPdf(
  settings: Pick<PolicySettings, 'consents'>,
  now: Date,
  lang: Lang,
): Promise<Uint8Array> {
  const de = lang === 'de'
  const { doc, writer: w } = await newTextDocument(de ? 'Einwilligungsregister' : 'Consent register')
  w.paragraph(de ? 'Einwilligungsregister' : 'Consent register', { size: 15, bold: true })
  w.paragraph(
    `${de ? 'Stand' : 'As of'}: ${day(now.toISOString(), lang)}  ·  ${settings.consents.length} ${de ? 'Einträge' : 'entries'}`,
    { color: muted },
  )
  w.rule()
  const byTarget = new Map<string, Consent[]>()
  for (const consent of settings.consents)
    byTarget.set(consent.address, [...(byTarget.get(consent.address) ?? []), consent])
  for (const [target, entries] of [...byTarget].sort(([a], [b]) => a.localeCompare(b))) {
    w.paragraph(target, { bold: true })
    for (const c of entries) {
      const state = c.current ? (de ? 'gültig' : 'current') : de ? 'ersetzt' : 'superseded'
      w.paragraph(
        `${day(c.date, lang)}  ·  ${channelText[c.channel][lang]}  ·  ${de ? 'erfasst von' : 'recorded by'} ${c.by}  ·  ${state}`,
        { indent: 12 },
      )
      const details = [
        c.transmitted
          ? `${de ? 'Passwort übergeben' : 'password handed over'} ${transmittedText[c.transmitted][lang]} ${c.transmittedOn ? dateOnly(c.transmittedOn, lang) : ''}`.trim()
          : null,
        c.hasPassword ? (de ? 'dauerhaftes Passwort hinterlegt' : 'standing password kept') : null,
        c.expires ? `${de ? 'gültig bis' : 'expires'} ${dateOnly(c.expires, lang)}` : null,
        c.note ? `${de ? 'Notiz' : 'note'}: ${c.note}` : null,
      ].filter((x) => x !== null)
      if (details.length > 0) w.paragraph(details.join('  ·  '), { indent: 24, size: 9, color: muted })
    }
    w.gap(4)
  }
  return doc.save()
}

/** A cell a spreadsheet takes as text: formulas (= + - @, tab, CR at the start) are neutralised with a quote. */
export function csvCell(value: string | boolean | null): string {
  let text = value === null ? '' : String(value)
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[";\n\r,]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export function consentCsv(settings: Pick<PolicySettings, 'consents'>): string {
  const header = [
    'address',
    'channel',
    'by',
    'date',
    'note',
    'transmitted',
    'transmittedOn',
    'expires',
    'hasPassword',
    'current',
  ]
  const rows = settings.consents.map((c) => [
    c.address,
    c.channel,
    c.by,
    c.date,
    c.note,
    c.transmitted,
    c.transmittedOn,
    c.expires,
    c.hasPassword,
    c.current,
  ])
  return [header, ...rows].map((row) => row.map((cell) => csvCell(cell)).join(';')).join('\r\n') + '\r\n'
}
