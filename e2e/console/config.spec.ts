// Configuration through the console (issue 6 "Done when"): change an option, see it in the
// history, diff two versions, roll back; bad input (a value the option's type refuses, an unknown
// option, a stale edit opened in two pages) says what is wrong and changes nothing; a restricted
// option asks for an explicit confirmation; the audit log shows each step.
import type { Page } from '@playwright/test'
import { api, expect, pageCookie, screenshot, signInAsAdmin, test } from './fixtures.js'

const OPTION = 'imap.maxmessagesize'

interface OptionRow { name: string; value: unknown; isDefault: boolean }
interface History { items: Array<{ version: number; remark: string; author: string; changes: number }> }

async function currentVersion(cookie: string): Promise<number> {
  const h = await api(cookie).query<History>('config.history', { limit: 1 })
  expect(h.error, JSON.stringify(h.error)).toBeUndefined()
  return h.data!.items[0]?.version ?? 0
}

async function optionValue(cookie: string, name: string): Promise<OptionRow> {
  const r = await api(cookie).query<OptionRow[]>('config.options', { search: name })
  const row = r.data?.find((o) => o.name === name)
  if (!row) throw new Error(`config.options has no ${name}: ${JSON.stringify(r)}`)
  return row
}

async function openOption(page: Page, name: string) {
  await page.getByLabel('Search options').fill(name)
  const row = page.locator(`tr[data-option="${name}"]`)
  await expect(row).toBeVisible()
  await row.getByRole('button', { name: `Edit ${name}` }).click()
  const drawer = page.getByRole('dialog', { name })
  await expect(drawer).toBeVisible()
  // the drawer has fetched the version it edits on
  await expect(drawer.getByText(/Saving writes a new configuration version after version \d+/)).toBeVisible()
  return drawer
}

test('change an option, refuse bad input, stale edits and unknown options, history, diff, roll back, audit', async ({ page, context }) => {
  await signInAsAdmin(page)
  const cookie = await pageCookie(page)
  const v0 = await currentVersion(cookie)
  const before = await optionValue(cookie, OPTION)

  await page.goto('/config')
  await expect(page.getByRole('heading', { name: 'Configuration', level: 1 })).toBeVisible()
  await expect(page.getByRole('navigation', { name: 'Option groups' }).getByRole('button').first()).toBeVisible()
  await screenshot(page, 'config')

  // -- a value the option's type refuses: a field error, nothing saved
  let drawer = await openOption(page, OPTION)
  await drawer.getByLabel('Value').fill('ten megabytes')
  await drawer.getByRole('button', { name: 'Save' }).click()
  await expect(drawer.locator('#opt-remark-err')).toHaveText('Say why (it is kept in the version history).') // remark required first
  await drawer.getByLabel('Remark').fill('e2e: bad value')
  await drawer.getByRole('button', { name: 'Save' }).click()
  await expect(drawer.locator('#opt-value-err')).toContainText(/not an unsigned integer/)
  await screenshot(page, 'config-edit-invalid')
  expect(await currentVersion(cookie)).toBe(v0)

  // -- a good value: a new version, shown in the table
  await drawer.getByLabel('Value').fill('10485760')
  await drawer.getByLabel('Remark').fill('e2e: smaller messages')
  await drawer.getByRole('button', { name: 'Save' }).click()
  await expect(drawer).toBeHidden()
  const v1 = v0 + 1
  await expect(page.getByRole('status').or(page.getByRole('alert')).filter({ hasText: `Saved ${OPTION} as configuration version ${v1}` })).toBeVisible()
  await expect(page.locator(`tr[data-option="${OPTION}"]`)).toContainText('10485760')
  expect((await optionValue(cookie, OPTION)).value).toBe(10485760)

  // -- an unknown option: a clear message, nothing saved
  await page.getByRole('button', { name: 'Set an option' }).click()
  drawer = page.getByRole('dialog', { name: 'Set an option' })
  await expect(drawer.getByText(/after version \d+/)).toBeVisible()
  await drawer.getByRole('textbox', { name: 'Option', exact: true }).fill('imap.nosuchoption')
  await drawer.getByLabel('Value').fill('1')
  await drawer.getByLabel('Remark').fill('e2e: unknown option')
  await drawer.getByRole('button', { name: 'Save' }).click()
  await expect(drawer.getByRole('alert')).toContainText(/unknown|no such|not a known/i)
  await expect(drawer.getByRole('alert')).toContainText('imap.nosuchoption')
  await drawer.getByRole('button', { name: 'Cancel' }).click()
  expect(await currentVersion(cookie)).toBe(v1)

  // -- a stale edit: two pages open the option; the second save is refused, nothing changes
  const other = await context.newPage()
  await other.goto('/config')
  const drawer2 = await openOption(other, OPTION)
  drawer = await openOption(page, OPTION)
  await drawer2.getByLabel('Value').fill('20971520')
  await drawer2.getByLabel('Remark').fill('e2e: from the other page')
  await drawer2.getByRole('button', { name: 'Save' }).click()
  await expect(drawer2).toBeHidden()
  const v2 = v1 + 1
  await drawer.getByLabel('Value').fill('31457280')
  await drawer.getByLabel('Remark').fill('e2e: stale')
  await drawer.getByRole('button', { name: 'Save' }).click()
  await expect(drawer.getByRole('alert')).toContainText('Someone else changed the configuration since you opened this')
  await expect(drawer.getByRole('alert')).toContainText('Nothing was saved')
  await screenshot(page, 'config-stale-edit')
  await drawer.getByRole('button', { name: 'Cancel' }).click()
  await other.close()
  expect(await currentVersion(cookie)).toBe(v2)
  expect((await optionValue(cookie, OPTION)).value).toBe(20971520)

  // -- a restricted option needs an explicit confirmation
  drawer = await openOption(page, 'store.checkpoint.debug')
  await drawer.getByLabel('Value').selectOption('1')
  await drawer.getByLabel('Remark').fill('e2e: restricted')
  await drawer.getByRole('button', { name: 'Save' }).click()
  const confirm = page.getByRole('dialog', { name: 'Change a restricted option?' })
  await expect(confirm).toBeVisible()
  await confirm.getByRole('button', { name: 'Change it' }).click()
  await expect(drawer).toBeHidden()
  const v3 = v2 + 1
  expect(await currentVersion(cookie)).toBe(v3)

  // -- history: our versions with author and remark; diff v0 → v2 shows the option's change
  await page.goto('/history')
  const versions = page.getByRole('table', { name: 'Configuration versions' })
  await expect(versions.locator(`tr[data-version="${v1}"]`)).toContainText('e2e: smaller messages')
  await expect(versions.locator(`tr[data-version="${v1}"]`)).toContainText('admin')
  await expect(versions.locator(`tr[data-version="${v3}"]`)).toContainText('current')
  if (v0 > 0) await versions.getByLabel(`Compare version ${v0}`).check()
  else await versions.getByLabel(`Compare version ${v1}`).check()
  await versions.getByLabel(`Compare version ${v2}`).check()
  const diff = page.getByRole('table', { name: /Differences between version/ })
  // (the history keys options by their stored name, possibly with a scope: role.imap.maxmessagesize)
  const diffRow = diff.locator('tbody tr').filter({ hasText: OPTION })
  await expect(diffRow).toContainText('20971520')
  // before our first save the option was not set at all (the default applied)
  await expect(diffRow).toContainText(v0 > 0 ? (before.isDefault ? '(not set)' : String(before.value)) : '10485760')
  await screenshot(page, 'history-diff')

  // -- roll back to v0 (or v1 on a fresh data root): a new version with the old values
  const target = v0 > 0 ? v0 : v1
  await versions.locator(`tr[data-version="${target}"]`).getByRole('button', { name: `Roll back to ${target}` }).click()
  const rb = page.getByRole('dialog', { name: `Roll back to version ${target}?` })
  await rb.getByRole('button', { name: 'Roll back' }).click()
  await expect(rb.getByRole('alert')).toContainText('Say why (it is kept in the version history).')
  await rb.getByLabel('Remark').fill('e2e: undo')
  await rb.getByRole('button', { name: 'Roll back' }).click()
  await expect(page.getByText(`Rolled back to version ${target}: the configuration is now version ${v3 + 1}`)).toBeVisible()
  await expect(versions.locator(`tr[data-version="${v3 + 1}"]`)).toContainText('e2e: undo')
  const after = await optionValue(cookie, OPTION)
  expect(after.value).toEqual(v0 > 0 ? before.value : 10485760)

  // -- the audit log has each step, with the field-level before/after
  await page.goto('/audit')
  await page.getByLabel('Actor').fill('admin')
  await page.getByLabel('Action').fill('config.write')
  const events = page.getByRole('table', { name: 'Audit events' })
  await expect(events.locator('tbody tr[data-audit-action]').first()).toBeVisible()
  const rows = events.locator('tr[data-audit-action]')
  // three saves (v1, the other page's v2, the restricted v3; refused input saved nothing) and the rollback
  await expect(rows.filter({ hasText: /revert to/ })).toHaveCount(1)
  await expect(rows.filter({ hasNotText: /revert to/ })).toHaveCount(3)
  const saveRow = rows.filter({ hasNotText: /revert to/ }).last() // the oldest: 10485760
  await saveRow.getByRole('button', { name: /Show the changes/ }).click()
  const changes = events.getByRole('table', { name: /Changes of/ })
  await expect(changes).toContainText(OPTION)
  await expect(changes).toContainText('10485760')
  await screenshot(page, 'audit-config')
})
