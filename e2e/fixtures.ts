/**
 * Fixtures: pages already signed in as the admin or as a member, and a typed helper
 * for calling tRPC procedures over HTTP (superjson envelope) to arrange state.
 */
import { type APIRequestContext, type Browser, test as base, expect, type Page } from '@playwright/test';
import { E2E_ADMIN, E2E_MEMBER } from './env';

export { expect };

interface Credentials {
  email: string;
  password: string;
}

/** Calls a tRPC procedure the way the browser does; throws with the server's message on failure. */
export async function trpc<T = unknown>(request: APIRequestContext, path: string, input?: unknown, kind: 'query' | 'mutation' = 'mutation'): Promise<T> {
  const url = `/api/trpc/${path}`;
  const response =
    kind === 'mutation'
      ? await request.post(url, { data: { json: input } })
      : await request.get(`${url}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`);
  const body = (await response.json()) as { result?: { data: { json: T } }; error?: { json: { message: string } } };
  if (!response.ok() || !body.result) throw new Error(`${path} failed: ${body.error?.json.message ?? response.status()}`);
  return body.result.data.json;
}

async function signedInPage(browser: Browser, who: Credentials): Promise<Page> {
  const context = await browser.newContext();
  // The context's request shares its cookie jar, so the session cookie lands in the browser too.
  await trpc(context.request, 'auth.signIn', who);
  return context.newPage();
}

export const test = base.extend<{ adminPage: Page; memberPage: Page }, { memberAccount: Credentials }>({
  memberAccount: [
    async ({ playwright }, use, workerInfo) => {
      const request = await playwright.request.newContext({ baseURL: workerInfo.project.use.baseURL });
      await trpc(request, 'auth.signIn', E2E_ADMIN);
      const users = await trpc<{ email: string }[]>(request, 'users.list', undefined, 'query');
      if (!users.some((u) => u.email === E2E_MEMBER.email)) {
        await trpc(request, 'users.create', { ...E2E_MEMBER, name: 'Morgan Member', role: 'member' });
      }
      await request.dispose();
      await use(E2E_MEMBER);
    },
    { scope: 'worker' },
  ],
  adminPage: async ({ browser }, use) => {
    const page = await signedInPage(browser, E2E_ADMIN);
    await use(page);
    await page.context().close();
  },
  memberPage: async ({ browser, memberAccount }, use) => {
    const page = await signedInPage(browser, memberAccount);
    await use(page);
    await page.context().close();
  },
});
