import { openApp, type Harness } from './harness.ts'

/** Starts the app page in `lang` with the first-start setup postponed and waits on the composer's To field. */
export async function openComposer(harness: Harness, lang: 'de' | 'en'): Promise<void> {
  await openApp(harness, lang, { skipSetup: true })
  await harness.page.click('[data-section=compose]')
  await harness.page.locator('#compose-to').waitFor()
}
