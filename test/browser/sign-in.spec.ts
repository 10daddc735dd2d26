/// <reference lib="dom" />
// (page.evaluate callbacks run in the browser)
import { expect, signIn, test, ui } from './fixtures.js';

test.describe('sign-in', () => {
  test('the link `myragdb up` prints signs in once; used again it explains and offers the key form', async ({
    page,
  }) => {
    await page.goto(ui.firstSignInLink);
    await expect(page).toHaveURL(`${ui.url}/`);
    await expect(page.getByRole('searchbox', { name: 'Search code and documentation' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' })).toBeVisible();

    await page.context().clearCookies();
    await page.goto(ui.firstSignInLink);
    await expect(page).toHaveURL(/\/sign-in\?error=link$/);
    await expect(page.getByRole('alert')).toContainText('That sign-in link did not work');
    await expect(page.getByLabel('API key')).toBeVisible();
  });

  test('a wrong key is refused with a reason; the right one signs in; the key stays out of the page', async ({
    page,
    console,
  }) => {
    console.allow(/status of 401/);
    await page.goto('/repositories');
    await expect(page).toHaveURL(/\/sign-in\?next=%2Frepositories$/);
    await page.getByLabel('API key').fill('mrdb_0000000000000000_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toHaveText('That API key is not valid, has expired or was revoked.');

    await page.getByLabel('API key').fill(ui.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(`${ui.url}/repositories`);
    await expect(page.getByRole('heading', { name: 'Repositories' })).toBeVisible();

    const stored = await page.evaluate(() => ({
      cookie: document.cookie,
      local: JSON.stringify(localStorage),
      session: JSON.stringify(sessionStorage),
    }));
    for (const place of Object.values(stored)) expect(place).not.toContain(ui.adminKey);
    expect(stored.cookie).not.toContain('myragdb_session');
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ name: 'myragdb_session', httpOnly: true, sameSite: 'Strict' });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByLabel('API key')).toBeVisible();
    await page.goto('/health');
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fhealth$/);
  });

  test('a search key sees search and status but no admin pages or actions', async ({ page }) => {
    const created = await page.request.post(`${ui.url}/api/v1/keys`, {
      headers: { authorization: `Bearer ${ui.adminKey}` },
      data: { name: 'browser search key', scopes: ['search'] },
    });
    expect(created.status()).toBe(201);
    const { key } = (await created.json()) as { key: string };
    await signIn(page, key);
    await page.goto('/');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link', { name: 'Repositories' })).toBeVisible();
    await expect(nav.getByRole('link', { name: 'API keys' })).toHaveCount(0);
    await page.goto('/keys');
    await expect(page.getByRole('alert')).toContainText('needs an admin key');
    await page.goto('/repositories');
    await expect(page.getByRole('rowheader', { name: 'payments' })).toBeVisible();
    await expect(page.getByRole('button', { name: /Sync|Delete/ })).toHaveCount(0);
    await expect(page.getByRole('heading', { name: 'Add a repository' })).toHaveCount(0);
  });
});
