/**
 * The browser suite's fixtures: every test fails on a console error or an uncaught page error it did not declare,
 * and `signIn` exchanges a key for the session cookie the way the sign-in form does.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { expect, test as base, type Page } from '@playwright/test';

export { expect };

export const ui = {
  get url(): string {
    return required('MYRAGDB_UI_URL');
  },
  get adminKey(): string {
    return required('MYRAGDB_UI_ADMIN_KEY');
  },
  get firstSignInLink(): string {
    return required('MYRAGDB_UI_SIGN_IN_LINK');
  },
  get extraFolder(): string {
    return required('MYRAGDB_UI_EXTRA_FOLDER');
  },
  get chromaPid(): number {
    return Number(required('MYRAGDB_UI_CHROMA_PID'));
  },
};

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suite with its global setup (npm run test:browser)`);
  return value;
}

interface ConsoleWatch {
  /** Console errors matching `pattern` are expected in this test (e.g. the 401 of a wrong key). */
  allow(pattern: RegExp): void;
}

export const test = base.extend<{ console: ConsoleWatch }>({
  console: [
    async ({ page }, use) => {
      const allowed: RegExp[] = [];
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
      await use({ allow: (pattern) => allowed.push(pattern) });
      expect(
        errors.filter((error) => !allowed.some((pattern) => pattern.test(error))),
        'console errors',
      ).toEqual([]);
    },
    { auto: true },
  ],
  // Playwright's fixture signature: the first argument must be a destructuring pattern, even an empty one.
  // eslint-disable-next-line no-empty-pattern
  baseURL: async ({}, use) => use(ui.url),
});

/** Signs the page's browser context in with `key` (the session cookie lands in the context's cookie jar). */
export async function signIn(page: Page, key = ui.adminKey): Promise<void> {
  const response = await page.request.post(`${ui.url}/api/v1/session`, { data: { apiKey: key } });
  expect(response.status()).toBe(201);
}

const SCREENSHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

/** The page in light and in dark mode, saved as `<name>-light.png` and `<name>-dark.png`. */
export async function screenshots(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: `${SCREENSHOTS}${name}-${colorScheme}.png` });
  }
  await page.emulateMedia({ colorScheme: null });
}

/** axe-core on the page as it stands, in light and dark mode: no serious or critical violation. */
export async function expectAccessible(page: Page): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const results = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
      .analyze();
    const serious = results.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map(
        (violation) =>
          `${colorScheme}: ${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
      );
    expect(serious, `accessibility violations on ${page.url()}`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: null });
}
