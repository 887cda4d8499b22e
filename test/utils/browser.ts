// Headless Chromium for the explorer's browser tests: Debian's `chromium` (installed by .ci/run) driven by
// playwright-core, with a profile of its own in the test's temp dir and nothing that reaches the network.
import { existsSync } from 'node:fs'
import { type BrowserContext, chromium, type Page } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'

/** Fails (never skips) when Chromium is missing: the browser tests are part of `npm test`. */
export function assertChromium(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (see .ci/run)`)
}

/** A headless Chromium with its profile in `profileDir`, and its first page. */
export async function openChromium(profileDir: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  })
  return { context, page: context.pages()[0] ?? (await context.newPage()) }
}
