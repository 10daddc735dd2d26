import { expect, expectAccessible, screenshots, signIn, test } from './fixtures.js';

/** Every page, signed in as admin, with content on it: checked with axe-core and captured light and dark. */
const PAGES: Array<{ name: string; path: string; ready: string }> = [
  { name: 'search', path: '/search?q=parse%20the%20query%20string', ready: '.file-group' },
  { name: 'search-empty', path: '/', ready: '.notice.empty' },
  { name: 'file', path: '/file?repo=payments&path=src%2Fquery.ts&start=6&end=14', ready: '.hit-line' },
  { name: 'repositories', path: '/repositories', ready: 'table.repositories' },
  { name: 'health', path: '/health', ready: '.chart canvas' },
  { name: 'keys', path: '/keys', ready: 'table' },
  { name: 'not-found', path: '/no-such-page', ready: 'h1' },
];

test.describe('accessibility and screenshots', () => {
  test('the sign-in page', async ({ page }) => {
    await page.goto('/sign-in?error=link');
    await expect(page.getByLabel('API key')).toBeVisible();
    await expectAccessible(page);
    await screenshots(page, 'sign-in');
  });

  for (const { name, path, ready } of PAGES) {
    test(`the ${name} page`, async ({ page }) => {
      await signIn(page);
      await page.goto(path);
      await expect(page.locator(ready).first()).toBeVisible();
      await expectAccessible(page);
      await screenshots(page, name);
    });
  }
});
