/// <reference lib="dom" />
// (page.evaluate callbacks run in the browser)
import { expect, signIn, test, ui } from './fixtures.js';

test.describe('API keys', () => {
  test.beforeEach(async ({ page }) => signIn(page));

  test('create a key (shown once), use it, then revoke it with confirmation', async ({ page, browser }) => {
    await page.goto('/keys');
    await page.getByLabel('Name').fill('ci agent');
    await page.getByRole('button', { name: 'Create key' }).click();
    const created = page.getByTestId('created-key');
    await expect(created).toHaveText(/^mrdb_[0-9a-f]{16}_/);
    const key = (await created.textContent())!;
    const id = key.split('_')[1]!;
    const row = page.locator(`tr[data-key="${id}"]`);
    await expect(row).toContainText('ci agent');
    await expect(row).toContainText('search');
    await expect(row.locator('.status')).toHaveText('active');
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await expect(created).toHaveCount(0);
    await page.reload();
    await expect(page.getByText(key)).toHaveCount(0);

    // The new key works in another browser, until it is revoked.
    const other = await browser.newContext({ baseURL: ui.url });
    const otherPage = await other.newPage();
    await signIn(otherPage, key);
    expect((await otherPage.request.get('/api/v1/repositories')).status()).toBe(200);

    await row.getByRole('button', { name: 'Revoke ci agent' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke “ci agent”?' });
    await expect(dialog).toContainText('loses access at once');
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await expect(row.locator('.status')).toHaveText('revoked');
    await expect(row.getByRole('button')).toHaveCount(0);
    expect((await otherPage.request.get('/api/v1/repositories')).status()).toBe(401);
    await other.close();
  });

  test('a key with no name is refused by the form before it reaches the server', async ({ page }) => {
    await page.goto('/keys');
    await page.getByRole('button', { name: 'Create key' }).click();
    expect(await page.getByLabel('Name').evaluate((input: HTMLInputElement) => input.validity.valueMissing)).toBe(true);
    await expect(page.getByTestId('created-key')).toHaveCount(0);
  });
});
