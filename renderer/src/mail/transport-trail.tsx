import { Fragment } from 'react'
import type { ReadingView } from '../../../preload/mail-contract'
import { Icon } from './icons'
import { useMailWords } from './words'

type Hop = ReadingView['transport']['hops'][number]

/** A host name that wraps after its dots (mail.kanzlei-berger.example), not in the middle of a label. */
function HostName({ name }: { name: string }) {
  const labels = name.split('.')
  return labels.map((label, i) => (
    <Fragment key={i}>
      {label}
      {i < labels.length - 1 && (
        <>
          .<wbr />
        </>
      )}
    </Fragment>
  ))
}

/**
 * The Received trail as a picture: one step per hop, oldest first, each connection labelled with
 * its TLS version, a hop without TLS marked with a symbol and words (not only red).
 */
export function TransportTrail({ transport }: { transport: ReadingView['transport'] }) {
  const { w } = useMailWords()
  const hops = [...transport.hops].reverse()
  if (hops.length === 0) return <p className="sp-muted">{w('trail.none')}</p>
  const link = (hop: Hop) => {
    if (hop.tls === true)
      return {
        cls: 'sp-hop-tls',
        icon: 'lock' as const,
        text: hop.version
          ? w('trail.tls', { version: hop.version.replace(/^TLSv?/i, 'TLS ') })
          : w('trail.tlsUnknownVersion'),
      }
    if (hop.tls === false) return { cls: 'sp-hop-plain', icon: 'warning' as const, text: w('trail.plain') }
    return { cls: 'sp-hop-unknown', icon: 'question' as const, text: w('trail.unknown') }
  }
  return (
    <div className="sp-trail" data-testid="transport-trail">
      <p className="sp-muted">{w('trail.intro')}</p>
      <ol className="sp-trail-steps">
        {hops.map((hop, index) => {
          const l = link(hop)
          return (
            <li key={index} className={`sp-trail-step ${l.cls}`} data-tls={String(hop.tls)}>
              <span className="sp-trail-host">
                {hop.from ? <HostName name={hop.from} /> : w('trail.hop', { n: index + 1 })}
              </span>
              <span className="sp-trail-link">
                <Icon name={l.icon} size={14} /> {l.text}
                {hop.with ? <span className="sp-muted"> · {hop.with}</span> : null}
              </span>
              <span className="sp-trail-host">
                {hop.by && <HostName name={hop.by} />}
                {index === hops.length - 1 && ` (${w('trail.you')})`}
              </span>
            </li>
          )
        })}
      </ol>
    </div>
  )
}
