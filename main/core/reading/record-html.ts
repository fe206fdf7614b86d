import type { MessageRecord, RecordBlock } from './record.ts'

/**
 * The message record as a self-contained HTML page for printing (the same blocks as the PDF):
 * every text escaped, no scripts, nothing loaded (its CSP allows inline style only).
 */
const escape = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!)

const style = `
@page { size: A4; margin: 18mm 18mm 20mm 18mm; }
body { font: 10pt/1.4 "Liberation Sans", Arial, Helvetica, sans-serif; color: #1a1a1f; margin: 0; }
@media screen { body { margin: 24px auto; max-width: 180mm; } }
h1 { font-size: 17pt; margin: 0 0 2pt; }
.subject { font-size: 12.5pt; font-weight: bold; margin: 0 0 8pt; }
h2 { font-size: 12.5pt; margin: 14pt 0 4pt; padding-bottom: 2pt; border-bottom: 0.6pt solid #59596a;
  break-after: avoid; }
dl { display: grid; grid-template-columns: 38mm 1fr; gap: 2pt 8pt; margin: 0 0 4pt; }
dl.narrow { grid-template-columns: 8mm 1fr; }
dt { font-weight: bold; color: #59596a; }
dd { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
dd.strong { font-weight: bold; }
.muted { color: #59596a; font-size: 9pt; }
.alert { color: #9e1a14; font-weight: bold; }
.divider { border-top: 0.6pt solid #59596a; margin-top: 8pt; padding-top: 4pt; color: #9e1a14; font-weight: bold; }
.body { white-space: pre-wrap; overflow-wrap: anywhere; margin: 4pt 0 8pt; }
`

function blockHtml(block: RecordBlock): string {
  if (block.kind === 'heading') return `<h2>${escape(block.text)}</h2>`
  if (block.kind === 'fields')
    return `<dl${block.isNarrow ? ' class="narrow"' : ''}>${block.rows
      .map(
        (row) => `<dt>${escape(row.label)}</dt><dd${row.isStrong ? ' class="strong"' : ''}>${escape(row.value)}</dd>`,
      )
      .join('')}</dl>`
  if (block.kind === 'paragraph') return `<p class="${block.tone ?? ''}">${escape(block.text)}</p>`
  if (block.kind === 'divider') return `<p class="divider">! ${escape(block.text)}</p>`
  return `<div class="body">${escape(block.text)}</div>`
}

export function recordHtml(record: MessageRecord): string {
  return [
    '<!doctype html>',
    `<html lang="${record.lang}"><head><meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${escape(`${record.title}: ${record.subject}`)}</title><style>${style}</style></head><body>`,
    `<h1>${escape(record.title)}</h1><p class="subject">${escape(record.subject)}</p>`,
    ...record.blocks.map(blockHtml),
    '</body></html>',
  ].join('\n')
}
