import { useState } from 'react'
import { useMailWords, type MailWord } from './words'

/**
 * The personal security pattern (Mailvelope's "Sicherheitshintergrund", UI.md §2.1): chosen by
 * the user, stored in the app's own storage (a sandboxed mail frame cannot read it) and drawn
 * only in the app's chrome around the security bar, so a message cannot imitate the bar.
 */
export const patterns = ['stripes', 'dots', 'checks', 'waves', 'diamonds', 'steps'] as const
export const colors = ['teal', 'violet', 'ochre', 'slate'] as const
export type PatternChoice = { pattern: (typeof patterns)[number]; color: (typeof colors)[number] }

const storageKey = 'siegelpost.securityPattern'

function randomChoice(): PatternChoice {
  const pick = new Uint32Array(2)
  crypto.getRandomValues(pick)
  return { pattern: patterns[pick[0]! % patterns.length]!, color: colors[pick[1]! % colors.length]! }
}

/** The stored choice; on first use a random one is chosen and kept (the user may change it in the settings). */
export function loadPattern(): PatternChoice {
  try {
    const stored = JSON.parse(window.localStorage.getItem(storageKey) ?? 'null') as Partial<PatternChoice> | null
    if (stored && patterns.includes(stored.pattern!) && colors.includes(stored.color!)) return stored as PatternChoice
    const fresh = randomChoice()
    window.localStorage.setItem(storageKey, JSON.stringify(fresh))
    return fresh
  } catch {
    return randomChoice()
  }
}

function savePattern(choice: PatternChoice) {
  try {
    window.localStorage.setItem(storageKey, JSON.stringify(choice))
  } catch {
    // Without storage the choice lasts for this session.
  }
}

export function PatternSwatch({ choice, large }: { choice: PatternChoice; large?: boolean }) {
  return (
    <span
      className={`sp-pattern sp-pattern-${choice.pattern} sp-color-${choice.color}${large ? ' sp-pattern-large' : ''}`}
      aria-hidden="true"
    />
  )
}

export function patternName(choice: PatternChoice, w: (key: MailWord) => string): string {
  return `${w(`pattern.${choice.pattern}`)}, ${w(`color.${choice.color}`)}`
}

/** The settings card where the user picks the pattern and its colour. */
export function SecurityPatternSettings() {
  const { w } = useMailWords()
  const [choice, setChoice] = useState<PatternChoice>(loadPattern)
  const change = (next: PatternChoice) => {
    savePattern(next)
    setChoice(next)
  }
  return (
    <fieldset className="card" data-testid="pattern-settings">
      <legend>{w('pattern.title')}</legend>
      <p>{w('pattern.intro')}</p>
      {/* Two rows of choices, each named on screen (the groups carry the same names for screen readers). */}
      <p className="sp-pattern-heading" aria-hidden="true">
        {w('pattern.shapeHeading')}
      </p>
      <div className="sp-pattern-choices" role="radiogroup" aria-label={w('pattern.title')}>
        {patterns.map((pattern) => (
          <label key={pattern} className="sp-pattern-choice">
            <input
              type="radio"
              name="sp-pattern"
              value={pattern}
              checked={choice.pattern === pattern}
              onChange={() => change({ ...choice, pattern })}
            />
            <PatternSwatch choice={{ ...choice, pattern }} large />
            {w(`pattern.${pattern}`)}
          </label>
        ))}
      </div>
      <p className="sp-pattern-heading" aria-hidden="true">
        {w('pattern.colourHeading')}
      </p>
      <div className="sp-pattern-choices" role="radiogroup" aria-label={w('pattern.colour')}>
        {colors.map((color) => (
          <label key={color} className="sp-pattern-choice">
            <input
              type="radio"
              name="sp-pattern-color"
              value={color}
              checked={choice.color === color}
              onChange={() => change({ ...choice, color })}
            />
            <PatternSwatch choice={{ ...choice, color }} />
            {w(`color.${color}`)}
          </label>
        ))}
      </div>
    </fieldset>
  )
}
