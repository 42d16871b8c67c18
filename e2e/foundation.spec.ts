import { E2E_ADMIN } from './env';
import { expect, test, trpc } from './fixtures';
import { EnvironmentsPage } from './pages/environments-page';

test.describe('sign-in', () => {
  test('when signed out, then pages redirect to sign-in and the API answers UNAUTHORIZED', async ({ page, request }) => {
    await page.goto('/environments');
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fenvironments$/);
    const response = await request.get('/api/trpc/environments.list');
    expect(response.status()).toBe(401);
  });

  test('when the password is wrong, then the form says so; when right, then the dashboard opens and sign-out works', async ({ page }) => {
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(E2E_ADMIN.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText('Email or password is incorrect')).toBeVisible();

    await page.getByLabel('Password').fill(E2E_ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    await expect(page.getByRole('banner')).toContainText(E2E_ADMIN.email);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
    await page.goto('/environments');
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fenvironments$/);
  });

  test('when a field is empty, then the form says which before anything is sent', async ({ page }) => {
    await page.goto('/sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText('Enter a valid email address')).toBeVisible();
    await expect(page.getByText('Password is required')).toBeVisible();
  });
});

test.describe('environments', () => {
  test('the defaults exist, with prod marked production', async ({ adminPage }) => {
    const envs = new EnvironmentsPage(adminPage);
    await envs.goto();
    for (const name of ['dev', 'staging', 'prod']) await expect(envs.row(name)).toBeVisible();
    await expect(envs.row('prod')).toContainText('Production');
    await expect(envs.row('prod')).toContainText('Availability');
  });

  test('an admin creates, edits and deletes an environment, with field errors for bad input', async ({ adminPage }) => {
    const envs = new EnvironmentsPage(adminPage);
    await envs.goto();
    await adminPage.getByRole('button', { name: 'New environment' }).click();

    await envs.fillForm({ name: '', color: 'blue' });
    await envs.dialog().getByRole('button', { name: 'Create environment' }).click();
    await expect(envs.dialog().getByText('Name is required')).toBeVisible();
    await expect(envs.dialog().getByText('Colour must be a hex value like #22c55e')).toBeVisible();

    await envs.fillForm({ name: 'dev', color: '#0ea5e9' });
    await envs.dialog().getByRole('button', { name: 'Create environment' }).click();
    await expect(envs.dialog().getByText('Environment "dev" already exists')).toBeVisible();

    await envs.fillForm({ name: 'ml-research', optimizeFor: 'Availability' });
    await envs.dialog().getByRole('button', { name: 'Create environment' }).click();
    await expect(envs.dialog()).toBeHidden();
    await expect(envs.row('ml-research')).toContainText('Availability');

    await adminPage.getByRole('button', { name: 'Edit ml-research' }).click();
    await envs.fillForm({ name: 'ml-research-prod', production: true });
    await envs.dialog().getByRole('button', { name: 'Save changes' }).click();
    await expect(envs.row('ml-research-prod')).toContainText('Production');

    await envs.delete('ml-research-prod', { production: true });

    await adminPage.goto('/audit');
    const audit = adminPage.getByRole('table', { name: 'Audit events' });
    await expect(audit.getByText('environment.delete')).toBeVisible();
    await expect(audit.getByText('environment.update')).toBeVisible();
  });
});

test.describe('a member', () => {
  test('sees environments but no admin actions, and the server refuses them anyway', async ({ memberPage }) => {
    const envs = new EnvironmentsPage(memberPage);
    await envs.goto();
    await expect(envs.row('prod')).toBeVisible();
    await expect(memberPage.getByRole('button', { name: 'New environment' })).toHaveCount(0);
    await expect(memberPage.getByRole('button', { name: /^(Edit|Delete) / })).toHaveCount(0);

    await expect(trpc(memberPage.context().request, 'environments.create', { name: 'sneaky', color: '#000000', isProduction: false, optimizeFor: 'cost' })).rejects.toThrow(
      'Your role does not allow this',
    );

    await memberPage.goto('/settings');
    await expect(memberPage.getByRole('table', { name: 'Users' })).toHaveCount(0);
    await memberPage.goto('/audit');
    await expect(memberPage.getByText('Admins only')).toBeVisible();
  });
});

test.describe('navigation', () => {
  test('every section opens from the sidebar; unbuilt ones say so plainly', async ({ adminPage }) => {
    await adminPage.goto('/');
    const nav = adminPage.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'ML Repos' }).click();
    await expect(adminPage.getByRole('heading', { level: 1, name: 'ML repos' })).toBeVisible();
    await expect(nav.getByRole('link', { name: 'ML Repos' })).toHaveAttribute('aria-current', 'page');
    await nav.getByRole('link', { name: 'GPU Fleet' }).click();
    await expect(adminPage).toHaveURL(/\/gpu$/);
    await expect(adminPage.getByRole('heading', { level: 1, name: 'GPU Fleet' })).toBeVisible();
    await expect(adminPage.getByText('GPU Fleet is not built yet')).toHaveCount(0);
    await expect(nav.getByRole('link', { name: 'GPU Fleet' })).toHaveAttribute('aria-current', 'page');
    await nav.getByRole('link', { name: 'Settings' }).click();
    await expect(adminPage.getByRole('table', { name: 'Users' })).toContainText(E2E_ADMIN.email);
  });
});

test.describe('security headers', () => {
  test('every page refuses framing and MIME sniffing', async ({ request }) => {
    const response = await request.get('/sign-in');
    expect(response.headers()['x-frame-options']).toBe('DENY');
    expect(response.headers()['x-content-type-options']).toBe('nosniff');
    expect(response.headers()['cross-origin-opener-policy']).toBe('same-origin');
    expect(response.headers()['x-powered-by']).toBeUndefined();
  });

  test("pages carry a nonce-based Content-Security-Policy, fresh per request, and Next's scripts carry the nonce", async ({ request }) => {
    const nonces: string[] = [];
    // The not-found page too: a prerendered page would have no nonce and its scripts would be blocked.
    for (const path of ['/sign-in', '/sign-in', '/no-such-page']) {
      const response = await request.get(path);
      const policy = response.headers()['content-security-policy'] ?? '';
      const nonce = /script-src [^;]*'nonce-([A-Za-z0-9+/=]+)'/.exec(policy)?.[1];
      expect(nonce, policy).toBeTruthy();
      expect(policy).toContain("frame-ancestors 'none'");
      const scripts = (await response.text()).match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(0);
      for (const script of scripts) expect(script).toContain(`nonce="${nonce}"`);
      nonces.push(nonce ?? '');
    }
    expect(new Set(nonces).size).toBe(nonces.length);
  });

  test('the dashboard works under the policy: no Content Security Policy violation in the console', async ({ adminPage }) => {
    const violations: string[] = [];
    adminPage.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await adminPage.goto('/');
    const nav = adminPage.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Environments' }).click();
    await expect(new EnvironmentsPage(adminPage).row('prod')).toBeVisible();
    await nav.getByRole('link', { name: 'Settings' }).click();
    await expect(adminPage.getByRole('table', { name: 'Users' })).toContainText(E2E_ADMIN.email);
    await adminPage.goto('/clusters');
    await adminPage.goto('/clusters/attach');
    await adminPage.goto('/audit');
    await expect(adminPage.getByRole('table', { name: 'Audit events' })).toBeVisible();
    expect(violations).toEqual([]);
  });

  test('API answers are never cached, and HSTS is not sent over plain HTTP', async ({ request }) => {
    const response = await request.get('/api/trpc/health.check');
    expect(response.headers()['cache-control']).toBe('no-store');
    expect(response.headers()['strict-transport-security']).toBeUndefined();
    expect((await request.get('/sign-in')).headers()['strict-transport-security']).toBeUndefined();
  });
});

test.describe('sign-in redirects', () => {
  test('?next= never leaves the site: not for a signed-in user, not after signing in', async ({ adminPage, page, baseURL }) => {
    await adminPage.goto('/sign-in?next=/%5Cevil.example');
    expect(new URL(adminPage.url()).origin).toBe(baseURL);
    await expect(adminPage).toHaveURL(`${baseURL}/`);

    await page.goto('/sign-in?next=/%09/evil.example');
    await page.getByLabel('Email').fill(E2E_ADMIN.email);
    await page.getByLabel('Password').fill(E2E_ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    expect(new URL(page.url()).origin).toBe(baseURL);

    // A same-site destination is still honoured.
    await adminPage.goto('/sign-in?next=/environments');
    await expect(adminPage).toHaveURL(`${baseURL}/environments`);
  });
});

test.describe('your account', () => {
  test('a user changes their own password: the wrong current one is refused beside the field, the right one works', async ({ adminPage, browser }) => {
    const who = { email: 'pat@e2e.test', password: 'pat-first-password' };
    await trpc(adminPage.context().request, 'users.create', { ...who, name: 'Pat', role: 'member' });
    const context = await browser.newContext();
    await trpc(context.request, 'auth.signIn', who);
    const page = await context.newPage();
    await page.goto('/settings');

    await page.getByLabel('Current password').fill('not-my-password');
    await page.getByLabel('New password').fill('pat-second-password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByText('The current password is not right')).toBeVisible();

    await page.getByLabel('Current password').fill(who.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByText('Password changed. Other sessions were signed out.')).toBeVisible();

    await expect(trpc(context.request, 'auth.signIn', who)).rejects.toThrow('Email or password is incorrect');
    await trpc(context.request, 'auth.signIn', { ...who, password: 'pat-second-password' });
    await context.close();
  });
});
