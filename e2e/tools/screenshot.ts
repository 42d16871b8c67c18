/**
 * Developer aid: signs in and screenshots pages of a running Fleetdeck, to look at
 * what a user sees. `node --import tsx e2e/tools/screenshot.ts http://localhost:3000 /clusters /environments`
 * (`WIDTH=390` for a phone, `DARK=1` for the dark scheme).
 */
import { chromium } from '@playwright/test';

const [baseURL = 'http://localhost:3000', ...paths] = process.argv.slice(2);
const email = process.env.FLEETDECK_ADMIN_EMAIL ?? 'admin@fleetdeck.local';
const password = process.env.FLEETDECK_ADMIN_PASSWORD ?? '';

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const context = await browser.newContext({ baseURL, viewport: { width: Number(process.env.WIDTH ?? 1400), height: 900 }, colorScheme: process.env.DARK ? 'dark' : 'light' });
await context.request.post('/api/trpc/auth.signIn', { data: { json: { email, password } } });
const page = await context.newPage();
for (const path of paths.length ? paths : ['/']) {
  await page.goto(path);
  await page.waitForLoadState('load');
  await page.waitForTimeout(1500); // let client queries settle; a developer aid, not a test
  const file = `/tmp/shot${path.replaceAll('/', '_') || '_root'}.png`;
  await page.screenshot({ path: file, fullPage: true });
  console.log(file);
}
await browser.close();
