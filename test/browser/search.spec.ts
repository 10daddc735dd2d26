/// <reference lib="dom" />
// (page.evaluate callbacks run in the browser)
import { expect, signIn, test, ui } from './fixtures.js';

test.describe('search', () => {
  test.beforeEach(async ({ page }) => signIn(page));

  test('finds a definition, shows why it ranked, and opens the file at the hit', async ({ page }) => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ui.url });
    await page.goto('/');
    await page.getByRole('searchbox', { name: 'Search code and documentation' }).fill('parseQuery');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/search\?q=parseQuery$/);

    const first = page.locator('.file-group').first();
    await expect(first.getByRole('heading')).toContainText('payments/src/query.ts');
    const hit = first.locator('a.hit').first();
    await expect(hit.locator('.snippet')).toContainText('export function parseQuery');
    await expect(hit.locator('mark').first()).toHaveText(/parse|query/i);
    await expect(hit.locator('.why')).toContainText('keyword #');
    await expect(page.getByRole('status').filter({ hasText: /results in \d+ files/ })).toBeVisible();

    await hit.click();
    await expect(page).toHaveURL(/\/file\?repo=payments&path=src%2Fquery\.ts&start=\d+&end=\d+/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('payments/src/query.ts');
    const hitLine = page.locator('.hit-line').first();
    await expect(hitLine).toBeInViewport();
    await expect(page.locator('.hit-line', { hasText: 'export function parseQuery' })).toHaveCount(1);
    await expect(page.locator('pre.code .hljs-keyword').first()).toBeVisible();

    const reference = await page.locator('.reference code').textContent();
    expect(reference).toMatch(/^payments\/src\/query\.ts:\d+-\d+$/);
    await page.getByRole('button', { name: 'Copy reference' }).click();
    await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(reference);

    await page.getByRole('link', { name: '← Back to results' }).click();
    await expect(page).toHaveURL(/\/search\?q=parseQuery$/);
    await expect(page.locator('.file-group').first()).toBeVisible();
  });

  test('filters and the mode live in the URL: deep links load, back and forward replay', async ({ page }) => {
    await page.goto('/search?q=retry&mode=keyword&lang=python');
    await expect(page.getByRole('radio', { name: 'Keyword' })).toBeChecked();
    await expect(page.getByLabel('Language')).toHaveValue('python');
    const groups = page.locator('.file-group');
    await expect(groups.first()).toBeVisible();
    for (const language of await groups.locator('.lang').allTextContents()) expect(language).toBe('python');

    await page.getByLabel('Language').fill('');
    await page.getByRole('textbox', { name: 'Path' }).fill('docs/**');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect(page).toHaveURL(/\/search\?q=retry&mode=keyword&path=docs%2F\*\*$/);
    await expect(groups.first().getByRole('heading')).toContainText('docs/');

    await page.getByText('Semantic', { exact: true }).click();
    await expect(page).toHaveURL(/mode=semantic/);
    await page.goBack();
    await expect(page).toHaveURL(/mode=keyword&path=docs/);
    await expect(page.getByRole('radio', { name: 'Keyword' })).toBeChecked();
    await page.goBack();
    await expect(page.getByLabel('Language')).toHaveValue('python');
    await page.goForward();
    await expect(page.getByRole('textbox', { name: 'Path' })).toHaveValue('docs/**');

    await page.goto('/search?q=zzzqqqnothingmatches&mode=keyword');
    await expect(page.getByText('No results for “zzzqqqnothingmatches”')).toBeVisible();
    await expect(page.getByText('For a question in your own words, try Hybrid or Semantic mode.')).toBeVisible();
  });

  test('works from the keyboard alone: / to focus, arrows through results, Enter to open', async ({ page }) => {
    await page.goto('/repositories');
    await page.getByRole('link', { name: 'Search' }).focus();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(`${ui.url}/`);
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('/');
    await expect(page.getByRole('searchbox')).toBeFocused();
    await page.keyboard.type('where are payments refunded?');
    await page.keyboard.press('Enter');
    await expect(page.locator('a.hit').first()).toBeVisible();
    await page.keyboard.press('ArrowDown');
    await expect(page.locator('a.hit').first()).toBeFocused();
    if ((await page.locator('a.hit').count()) > 1) {
      await page.keyboard.press('ArrowDown');
      await expect(page.locator('a.hit').nth(1)).toBeFocused();
      await page.keyboard.press('ArrowUp');
      await expect(page.locator('a.hit').first()).toBeFocused();
    }
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/file\?/);
    await expect(page.locator('.hit-line').first()).toBeInViewport();
  });

  test('a vector store that stops answering shows the degraded banner, and results still come', async ({ page }) => {
    await page.goto('/');
    process.kill(ui.chromaPid, 'SIGSTOP');
    try {
      // A query no earlier test asked, so no cached answer hides the outage.
      await page.getByRole('searchbox').fill(`payments guide refund ${Date.now()}`);
      await page.keyboard.press('Enter');
      const banner = page.getByRole('alert').filter({ hasText: 'Degraded results' });
      await expect(banner).toContainText('The semantic index did not answer');
      await expect(page.locator('.file-group').first()).toBeVisible();
    } finally {
      process.kill(ui.chromaPid, 'SIGCONT');
    }
  });
});
