import { expect, signIn, test, ui } from './fixtures.js';

test.describe('repositories', () => {
  test.beforeEach(async ({ page }) => signIn(page));

  test('add a folder and watch it index live; sync, rebuild, then delete it with confirmation', async ({
    page,
    console,
  }) => {
    console.allow(/status of 400/); // the refused folder below
    await page.goto('/repositories');
    await expect(page.getByRole('rowheader', { name: 'payments' })).toBeVisible();
    const payments = page.locator('tr[data-repository="payments"]');
    await expect(payments.locator('.status')).toHaveText(/ready/);

    // A folder outside the allowed roots is refused with the server's reason, and nothing is added.
    await page.getByLabel('Folder (absolute path on the server)').fill('/etc');
    await page.getByRole('button', { name: 'Add and index' }).click();
    await expect(page.getByRole('alert')).toContainText(/allowed|outside/i);

    await page.getByLabel('Folder (absolute path on the server)').fill(ui.extraFolder);
    await expect(page.getByLabel('Name')).toHaveAttribute('placeholder', 'extra');
    await page.getByRole('button', { name: 'Add and index' }).click();
    const extra = page.locator('tr[data-repository="extra"]');
    await expect(extra).toBeVisible();
    // No reload: the page polls while the repository indexes, and shows it ready with its counts.
    await expect(extra.locator('.status')).toHaveText('ready', { timeout: 60_000 });
    await expect(extra.locator('td.num').first()).toHaveText('2');

    await page.goto('/search?q=retryWithBackoff&mode=keyword&repo=extra');
    await expect(page.locator('.file-group').first().getByRole('heading')).toContainText('extra/retry.ts');

    await page.goto('/repositories');
    const before = await page.locator('tr[data-repository="extra"] time').getAttribute('datetime');
    await page.getByRole('button', { name: 'Rebuild extra' }).click();
    await expect(extra.locator('time')).not.toHaveAttribute('datetime', before ?? '', { timeout: 60_000 });
    await expect(extra.locator('.status')).toHaveText('ready', { timeout: 60_000 });
    await page.getByRole('button', { name: 'Sync extra' }).click();
    await expect(extra.locator('.status')).toHaveText('ready', { timeout: 60_000 });

    await page.getByRole('button', { name: 'Delete extra' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete extra?' });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();
    await expect(extra).toBeVisible();
    await page.getByRole('button', { name: 'Delete extra' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete repository' }).click();
    await expect(extra).toHaveCount(0);
    await expect(payments).toBeVisible();
  });
});
