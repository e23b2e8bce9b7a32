// The administrator's first steps (issue 6 "Done when"): sign in (a wrong password is refused);
// create a domain, a user with an alias and a quota, a group — through the console's pages; bad
// input (a duplicate address, an invalid quota, a stale edit of a user someone else changed) says
// what is wrong in the form and changes nothing; the audit log shows each step.
import { adminPassword, api, expect, pageCookie, screenshot, signIn, test, unique } from './fixtures.js'

interface UserDetail { uid: string; cn: string; mail: string; aliases: string[]; mailQuota?: string; version: string }

test('sign in; create a domain, a user with an alias and a quota, a group; bad input changes nothing; audit', async ({ page, context }) => {
  // -- sign in: a wrong password first
  await page.goto('/')
  await expect(page).toHaveURL(/\/sign-in/)
  await page.getByLabel('Username').fill('admin')
  await page.getByLabel('Password').fill('not-the-password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('alert').filter({ hasText: 'Could not sign in' })).toContainText('Wrong username or password.')
  await screenshot(page, 'sign-in-refused')
  await signIn(page, 'admin', adminPassword())
  await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible()
  await screenshot(page, 'dashboard')
  const gapi = api(await pageCookie(page))

  // -- a domain
  const domain = `${unique('flow')}.example`
  await page.goto('/domains/new')
  await page.getByLabel('Domain name').fill(domain)
  await page.getByRole('button', { name: 'Create domain' }).click()
  await expect(page.getByText(`Domain ${domain} created`)).toBeVisible()
  await expect(page).toHaveURL(new RegExp(`/domains/${domain.replace(/\./g, '\\.')}`))
  await screenshot(page, 'domain')

  // -- a user with an alias and a quota
  const uid = unique('ann')
  const alias = `${unique('sales')}@${domain}`
  await page.goto(`/users/new?domain=${domain}`)
  await page.getByRole('textbox', { name: 'User ID' }).fill(uid)
  await page.getByRole('combobox', { name: 'Domain', exact: true }).selectOption(domain)
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('Ann-pass-2026!')
  await page.getByLabel('Full name').fill('Ann Example')
  await page.getByLabel('Alias addresses').fill(alias)
  await page.getByLabel('Disk quota').fill('100M')
  await screenshot(page, 'user-new')
  await page.getByRole('button', { name: 'Create user' }).click()
  await expect(page.getByText(`User ${uid}@${domain} created`)).toBeVisible()
  const ann = await gapi.query<UserDetail>('users.get', { uid, domain })
  expect(ann.error, JSON.stringify(ann.error)).toBeUndefined()
  expect(ann.data!.aliases).toContain(alias)
  expect(ann.data!.mailQuota).toBeTruthy()
  await screenshot(page, 'user')

  // -- a duplicate address: refused under the field, nothing created
  const uid2 = unique('bob')
  await page.goto(`/users/new?domain=${domain}`)
  await page.getByRole('textbox', { name: 'User ID' }).fill(uid2)
  await page.getByRole('combobox', { name: 'Domain', exact: true }).selectOption(domain)
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('Bob-pass-2026!')
  await page.getByLabel('Full name').fill('Bob Example')
  await page.getByLabel('Primary address').fill(alias)
  await page.getByRole('button', { name: 'Create user' }).click()
  await expect(page.getByRole('alert').filter({ hasText: 'The user was not created' })).toBeVisible()
  await expect(page.locator('#mail-err')).toContainText(new RegExp(alias.replace(/[.@]/g, '\\$&') + '|in use|taken|already', 'i'))
  await screenshot(page, 'user-duplicate-address')
  expect((await gapi.query('users.get', { uid: uid2, domain })).error?.data?.code).toBe('NOT_FOUND')

  // -- an invalid quota: refused under the field, nothing created; what was typed stays
  await page.getByLabel('Primary address').fill('')
  await page.getByLabel('Disk quota').fill('12 parsecs')
  await page.getByRole('button', { name: 'Create user' }).click()
  await expect(page.locator('#mailQuota-err')).toBeVisible()
  await expect(page.getByRole('textbox', { name: 'User ID' })).toHaveValue(uid2)
  expect((await gapi.query('users.get', { uid: uid2, domain })).error?.data?.code).toBe('NOT_FOUND')

  // -- a stale edit: two pages edit the user; the later save is refused and changes nothing
  const userUrl = `/users/${encodeURIComponent(domain)}/${encodeURIComponent(uid)}`
  const other = await context.newPage()
  await other.goto(userUrl)
  await page.goto(userUrl)
  await other.getByLabel('Full name').fill('Ann From Elsewhere')
  await other.getByRole('button', { name: 'Save changes' }).click()
  await expect(other.getByText('Changes saved')).toBeVisible()
  await page.getByLabel('Full name').fill('Ann Stale')
  await page.getByRole('button', { name: 'Save changes' }).click()
  await expect(page.getByRole('alert').filter({ hasText: /someone else/i })).toBeVisible()
  await screenshot(page, 'user-stale-edit')
  await other.close()
  expect((await gapi.query<UserDetail>('users.get', { uid, domain })).data!.cn).toBe('Ann From Elsewhere')

  // -- a group with the user as member
  const cn = unique('team')
  await page.goto('/groups/new')
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(cn)
  await page.getByRole('combobox', { name: 'Domain', exact: true }).selectOption(domain)
  await page.getByLabel('Members').fill(ann.data!.mail)
  await page.getByRole('button', { name: 'Create group' }).click()
  await expect(page.getByText('Group created')).toBeVisible()
  const group = await gapi.query<{ members: string[] }>('groups.get', { cn, domain })
  expect(group.error, JSON.stringify(group.error)).toBeUndefined()
  expect(group.data!.members.map((m) => m.toLowerCase())).toContain(ann.data!.mail.toLowerCase())
  await screenshot(page, 'group')

  // -- the audit log shows each step (and no trace of the refused ones)
  await page.goto('/audit')
  await page.getByLabel('Target').fill(domain)
  const rows = page.getByRole('table', { name: 'Audit events' }).locator('tr[data-audit-action]')
  await expect(rows.filter({ hasText: 'domain.create' })).toHaveCount(1)
  await expect(rows.filter({ hasText: 'user.create' })).toHaveCount(1)
  await expect(rows.filter({ hasText: 'user.modify' })).toHaveCount(1)
  await expect(rows.filter({ hasText: 'group.create' })).toHaveCount(1)
  await expect(rows.filter({ hasText: uid2 })).toHaveCount(0)
  const create = rows.filter({ hasText: 'user.create' })
  await expect(create).toContainText('admin')
  await create.getByRole('button', { name: /Show the changes/ }).click()
  await expect(page.getByRole('table', { name: /Changes of user\.create/ })).toContainText(alias)
  await screenshot(page, 'audit')
})
