import { useState } from 'react'
import type { ReadingView } from '../../../preload/mail-contract'
import { ErrorNotice, OkNotice } from '../components'
import { useI18n } from '../i18n'
import { useAction } from '../use-call'
import { useMessageActionsSlot } from './message-actions'

/** The archive actions' words, German first. */
const words = {
  de: {
    label: 'Nachricht aufbewahren',
    eml: 'Als .eml speichern …',
    pdf: 'Als PDF exportieren …',
    print: 'Drucken …',
    emlSaved: 'Originalnachricht gespeichert als {name} (weiterhin verschlüsselt).',
    pdfSaved: 'Nachrichtenprotokoll gespeichert als {name}.',
    printed: 'Das Nachrichtenprotokoll wurde an den Drucker übergeben.',
    printCancelled: 'Nicht gedruckt.',
  },
  en: {
    label: 'Keep this message',
    eml: 'Save as .eml …',
    pdf: 'Export as PDF …',
    print: 'Print …',
    emlSaved: 'Original message saved as {name} (still encrypted).',
    pdfSaved: 'Message record saved as {name}.',
    printed: 'The message record was sent to the printer.',
    printCancelled: 'Not printed.',
  },
}

/**
 * Print and archive: the original message (.eml, still encrypted) and a PDF record of what was
 * shown, both written by main through the OS save dialog; printing prints that same record.
 * No message bytes reach the window.
 */
export function ReadToolbar({ view }: { view: ReadingView }) {
  const { lang } = useI18n()
  const w = words[lang]
  const { busy, error, run } = useAction()
  const [done, setDone] = useState<string | null>(null)
  const messageActions = useMessageActionsSlot()
  const readingId = view.readingId
  const act = async (action: 'eml' | 'pdf' | 'print') => {
    setDone(null)
    if (action === 'eml') {
      const result = await run(() => window.siegelpost.mailExportEml({ readingId }))
      if (result?.value.saved) setDone(w.emlSaved.replace('{name}', result.value.fileName))
    } else if (action === 'pdf') {
      const result = await run(() => window.siegelpost.mailExportPdf({ readingId, lang }))
      if (result?.value.saved) setDone(w.pdfSaved.replace('{name}', result.value.fileName))
    } else {
      const result = await run(() => window.siegelpost.mailPrint({ readingId, lang }))
      if (result) setDone(result.value.printed ? w.printed : w.printCancelled)
    }
  }
  return (
    <div className="sp-read-tools">
      {messageActions}
      <div className="sp-read-done" data-testid="export-done">
        <OkNotice text={done} />
      </div>
      <div role="toolbar" aria-label={w.label} className="sp-read-toolbar">
        <button type="button" data-testid="export-eml" disabled={busy} onClick={() => void act('eml')}>
          {w.eml}
        </button>
        <button type="button" data-testid="export-pdf" disabled={busy} onClick={() => void act('pdf')}>
          {w.pdf}
        </button>
        <button type="button" data-testid="print" disabled={busy} onClick={() => void act('print')}>
          {w.print}
        </button>
      </div>
      {error && <ErrorNotice error={error} />}
    </div>
  )
}
