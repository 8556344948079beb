/**
 * Debian's chromium for the browser suites, driven by playwright-core: one launch with the
 * flags a headless run on a CI box needs (no sandbox, no GPU, no background traffic).
 */
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A persistent context on `profile` (the caller makes and deletes the folder). */
export function launchChromium(
  profile: string,
  viewport = { width: 1280, height: 900 },
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
