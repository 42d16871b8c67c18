/**
 * Issue 11, item 2: an admin creates a team and makes a member its manager; that member
 * (a team lead, not an admin) finds Settings → Teams, adds someone to their own team,
 * and is offered no add control on another team.
 */
import type { Page } from '@playwright/test';
import { E2E_MEMBER } from './env';
import { expect, test, trpc } from './fixtures';

async function addMember(page: Page, teamName: string, email: string, role: 'Manager (team lead)' | 'Member') {
  const form = page.getByRole('form', { name: `Add a member to ${teamName}` });
  await form.getByLabel('Find people').fill(email);
  const person = form.getByLabel('Person');
  await expect(person.locator('option', { hasText: email })).toHaveCount(1);
  await person.selectOption({ label: await person.locator('option', { hasText: email }).innerText() });
  await form.getByLabel('Team role').selectOption({ label: role });
  await form.getByRole('button', { name: 'Add member' }).click();
}

test('an admin creates a team with a member as its manager, who then manages only that team', async ({ adminPage, memberPage }) => {
  const suffix = Date.now().toString(36);
  const teamName = `research-${suffix}`;
  const request = adminPage.context().request;
  const otherTeam = await trpc<{ id: number; name: string }>(request, 'teams.create', { name: `other-${suffix}`, description: '' });
  const teammate = `teammate-${suffix}@e2e.test`;
  await trpc(request, 'users.create', { email: teammate, name: 'Toni Teammate', role: 'member', password: 'toni-teammate-password' });

  await adminPage.goto('/settings/teams');
  await adminPage.getByRole('button', { name: 'New team' }).click();
  const dialog = adminPage.getByRole('dialog', { name: 'New team' });
  await dialog.getByLabel('Team name').fill(teamName);
  await dialog.getByLabel('Description').fill('Trains the churn models');
  await dialog.getByRole('button', { name: 'Create team' }).click();
  await expect(adminPage.getByRole('heading', { name: `Team ${teamName}` })).toBeVisible();
  await addMember(adminPage, teamName, E2E_MEMBER.email, 'Manager (team lead)');
  const members = adminPage.getByRole('table', { name: `Members of ${teamName}` });
  await expect(members.getByRole('row', { name: new RegExp(E2E_MEMBER.email) }).getByLabel(/^Role of/)).toHaveValue('manager');

  await memberPage.goto('/settings');
  await memberPage.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Teams' }).click();
  const teams = memberPage.getByRole('table', { name: 'Teams' });
  await expect(teams.getByRole('row', { name: new RegExp(teamName) })).toContainText('Manager (team lead)');
  await expect(memberPage.getByRole('button', { name: 'New team' })).toHaveCount(0);
  await teams.getByRole('link', { name: teamName }).click();
  await addMember(memberPage, teamName, teammate, 'Member');
  await expect(memberPage.getByRole('table', { name: `Members of ${teamName}` })).toContainText(teammate);
  await expect(memberPage.getByRole('button', { name: 'Delete team' })).toHaveCount(0);

  await memberPage.goto(`/settings/teams/${otherTeam.id}`);
  await expect(memberPage.getByRole('heading', { name: `Team ${otherTeam.name}` })).toBeVisible();
  await expect(memberPage.getByRole('form', { name: `Add a member to ${otherTeam.name}` })).toHaveCount(0);
  await expect(memberPage.getByRole('button', { name: 'Add member' })).toHaveCount(0);
  // The server refuses on its own too.
  const teammateId = (await trpc<{ id: number; email: string }[]>(request, 'users.list', undefined, 'query')).find((u) => u.email === teammate)!.id;
  await expect(trpc(memberPage.context().request, 'teams.addMember', { teamId: otherTeam.id, userId: teammateId })).rejects.toThrow("Only this team's managers");
});
