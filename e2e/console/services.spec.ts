// Services through the console (issue 6 §7): every service's state with pid and restarts, live
// through the services.onStatus subscription; a global administrator restarts a service, stops it
// (after confirming) and starts it again; the watcher's events and the audit log record it.
import { api, expect, pageCookie, screenshot, signInAsAdmin, test } from './fixtures.js'

interface Status { services: Array<{ name: string; state: string; pid?: number; restarts?: number }> }

test('service status is live; restart, stop (confirmed) and start a service', async ({ page }) => {
  await signInAsAdmin(page)
  const cookie = await pageCookie(page)
  await page.goto('/services')
  const table = page.getByRole('table', { name: 'Services' })
  const pop = table.locator('tr[data-service="pop"]')
  await expect(pop).toContainText('running')
  await expect(table.locator('tr[data-service="console"]')).toContainText('running')
  await expect(table.locator('tr[data-service="admin"]')).toContainText('running')
  await expect(table.locator('tr[data-service="ens"]')).toContainText('disabled')
  await expect(page.getByText('Live', { exact: true })).toBeVisible()
  await screenshot(page, 'services')

  const pidOf = async () => (await api(cookie).query<Status>('services.status')).data!.services.find((s) => s.name === 'pop')!.pid
  const pid1 = await pidOf()
  expect(pid1).toBeGreaterThan(0)
  await expect(pop).toContainText(String(pid1))

  // restart: a new process, shown without reloading the page
  await pop.getByRole('button', { name: 'Restart pop' }).click()
  // (a stop waits for the service to end its sessions: allow for a busy machine)
  await expect(page.getByRole('alert').or(page.getByRole('status')).filter({ hasText: 'restart pop' })).toContainText(/Starting pop server/, { timeout: 45_000 })
  const pid2 = await pidOf()
  expect(pid2).not.toBe(pid1)
  await expect(pop).toContainText(String(pid2))

  // stop asks first; cancelling changes nothing
  await pop.getByRole('button', { name: 'Stop pop' }).click()
  let dialog = page.getByRole('dialog', { name: 'Stop pop?' })
  await dialog.getByRole('button', { name: 'Cancel' }).click()
  await expect(dialog).toBeHidden()
  await expect(pop).toContainText('running')
  await pop.getByRole('button', { name: 'Stop pop' }).click()
  dialog = page.getByRole('dialog', { name: 'Stop pop?' })
  await dialog.getByRole('button', { name: 'Stop pop' }).click()
  await expect(pop).toContainText('stopped', { timeout: 45_000 })
  await expect(page.getByRole('list').filter({ hasText: `Stopping pop server ${pid2}` }).first()).toBeVisible()

  await pop.getByRole('button', { name: 'Start pop' }).click()
  await expect(pop).toContainText('running', { timeout: 45_000 })
  await screenshot(page, 'services-after-actions')

  // the audit log records the three actions
  await page.goto('/audit')
  await page.getByLabel('Action').fill('service.')
  const events = page.getByRole('table', { name: 'Audit events' })
  await expect(events.locator('tr[data-audit-action]').filter({ hasText: 'pop' })).toHaveCount(3)
})
