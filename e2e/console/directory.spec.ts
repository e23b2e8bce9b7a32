// The console's directory pages (issue 6, console-a): the users list (search-as-you-type, sort,
// status filter, cursor pagination, keyboard), a user's tabs and account actions (password reset
// checked with a real IMAP login, disable/enable, delete, purge), bulk import with its per-row
// report, domains (search, stale edit, delete), groups (members, delete) and the narrow layout.
import { adminPassword, api, apiSignIn, expect, screenshot, signInAsAdmin, test, unique } from './fixtures.js'
import { imapLoginWorks } from './directory-helpers.js'

interface UserDetail { uid: string; cn: string; mail: string; status: string; aliases: string[]; forwarding: string[]; deliveryOptions: string[]; vacation: { mode: string; subject: string; text: string; start: string; end: string }; mailQuota?: string; version: string }
interface DomainDetail { name: string; aliases: string[]; status: string; version: string }

async function globalApi() {
  return api(await apiSignIn('admin', adminPassword()))
}

async function newDomain(g: Awaited<ReturnType<typeof globalApi>>, prefix: string): Promise<string> {
  const name = `${unique(prefix)}.example`
  const r = await g.mutate('domains.create', { name })
  expect(r.error, JSON.stringify(r.error)).toBeUndefined()
  return name
}

const userUrl = (uid: string, domain: string) => `/users/${encodeURIComponent(domain)}/${encodeURIComponent(uid)}`

test('users list: search as you type, sort, status filter, pagination and keyboard', async ({ page }) => {
  const g = await globalApi()
  const domain = await newDomain(g, 'list')
  // 60 users through users.import (CSV), so the list needs a second page of 50
  // (no passwords: hashing 60 of them would only slow the test down)
  const csv = ['uid,cn', ...Array.from({ length: 60 }, (_, i) => `pg${String(i).padStart(2, '0')},Paged User ${i}`)].join('\n')
  const imp = await g.mutate<{ created: number; failed: number }>('users.import', { format: 'csv', text: csv, domain })
  expect(imp.error, JSON.stringify(imp.error)).toBeUndefined()
  expect(imp.data).toMatchObject({ created: 60, failed: 0 })
  const st = await g.mutate('users.setStatus', { uid: 'pg07', domain, status: 'disabled' })
  expect(st.error, JSON.stringify(st.error)).toBeUndefined()

  await signInAsAdmin(page)
  await page.goto(`/users?domain=${domain}`)
  const table = page.getByRole('table', { name: 'Users' })
  const rows = table.locator('tbody tr[data-row]')
  await expect(rows).toHaveCount(50)
  await expect(rows.first()).toContainText('pg00')
  await expect(page.getByText('60 total')).toBeVisible()
  await screenshot(page, 'users-list')

  // cursor pagination
  await page.getByRole('button', { name: 'Next' }).click()
  await expect(rows).toHaveCount(10)
  await expect(rows.first()).toContainText('pg50')
  await expect(page.getByText('Page 2')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Next' })).toBeDisabled()
  await page.getByRole('button', { name: 'Previous' }).click()
  await expect(rows.first()).toContainText('pg00')

  // server-side sort: the list starts by User ID ascending; a click turns it round
  await expect(table.locator('th[aria-sort="ascending"]')).toContainText('User ID')
  await table.getByRole('button', { name: /User ID/ }).click()
  await expect(table.locator('th[aria-sort="descending"]')).toContainText('User ID')
  await expect(rows.first()).toContainText('pg59')
  await table.getByRole('button', { name: /Name/ }).click()
  await expect(table.locator('th[aria-sort="ascending"]')).toContainText('Name')
  await expect(rows.first()).toContainText('Paged User 0')
  await expect(rows.nth(1)).toContainText('Paged User 1') // "Paged User 10" sorts after "Paged User 1"
  await table.getByRole('button', { name: /User ID/ }).click()
  await table.getByRole('button', { name: /User ID/ }).click()
  await expect(table.locator('th[aria-sort="descending"]')).toContainText('User ID')

  // search as you type, one key at a time; the table follows the last keystroke
  const search = page.getByLabel('Search users by ID, name or address')
  await search.pressSequentially('pg05', { delay: 40 })
  await expect(page.getByTestId('users-table')).toHaveAttribute('data-search', 'pg05')
  await expect(rows).toHaveCount(1)
  await expect(rows.first()).toContainText('Paged User 5')
  await search.fill('Paged User 1')
  await expect(page.getByTestId('users-table')).toHaveAttribute('data-search', 'Paged User 1')
  await expect(rows).toHaveCount(11) // 1, 10..19
  await search.fill('no-such-user-xyz')
  await expect(table).toContainText('No users match.')
  await search.fill('')

  // status filter
  await page.getByLabel('Status').selectOption('disabled')
  await expect(rows).toHaveCount(1)
  await expect(rows.first()).toContainText('pg07')
  await expect(rows.first()).toContainText('disabled')
  await page.getByLabel('Status').selectOption('')

  // keyboard: rows are one tab stop; arrows move, Enter opens
  await expect(rows).toHaveCount(50)
  await rows.first().focus()
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('ArrowDown')
  await expect(rows.nth(2)).toBeFocused()
  const third = (await rows.nth(2).locator('td').first().innerText()).trim()
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(new RegExp(`/users/${domain.replace(/\./g, '\\.')}/${third}$`))
  await expect(page.getByRole('tab', { name: 'General' })).toHaveAttribute('aria-selected', 'true')
})

test('a user: tabs save only what changed; field errors keep the input; password, disable, delete, purge', async ({ page }) => {
  test.setTimeout(120_000)
  const g = await globalApi()
  const domain = await newDomain(g, 'ud')
  const uid = unique('carol')
  const cr = await g.mutate('users.create', { uid, domain, password: 'First-pass-1!', cn: 'Carol Example' })
  expect(cr.error, JSON.stringify(cr.error)).toBeUndefined()
  const get = async () => (await g.query<UserDetail>('users.get', { uid, domain })).data!

  await signInAsAdmin(page)
  await page.goto(userUrl(uid, domain))
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Carol Example')

  // Addresses
  const alias = `${unique('c')}@${domain}`
  await page.getByRole('tab', { name: 'Addresses' }).click()
  await page.getByLabel('Alias addresses').fill(alias)
  await page.getByRole('button', { name: 'Save changes' }).click()
  await expect(page.getByText('Changes saved')).toBeVisible()
  expect((await get()).aliases).toEqual([alias])

  // Delivery: forwarding + options; the tab is kept after the save
  await page.getByRole('tab', { name: 'Delivery' }).click()
  await page.getByLabel('Forwarding addresses', { exact: true }).fill('carol@elsewhere.example')
  await page.getByLabel(/^forward —/).check()
  await page.getByRole('button', { name: 'Save changes' }).click()
  await expect(page.getByText('Changes saved').first()).toBeVisible()
  await expect(page.getByRole('tab', { name: 'Delivery' })).toHaveAttribute('aria-selected', 'true')
  await expect.poll(async () => (await get()).forwarding).toEqual(['carol@elsewhere.example'])
  expect((await get()).deliveryOptions).toContain('forward')
  expect((await get()).aliases).toEqual([alias]) // untouched

  // Vacation
  await page.getByRole('tab', { name: 'Vacation' }).click()
  await page.getByLabel('Auto-reply mode').selectOption('reply')
  await page.getByLabel('Subject').fill('Away')
  await page.getByLabel('Text').fill('Back on Monday.')
  await page.getByLabel('Starts').fill('2030-07-01')
  await page.getByLabel('Ends').fill('2030-07-15')
  await page.getByRole('button', { name: 'Save changes' }).click()
  await expect.poll(async () => (await get()).vacation).toEqual({ mode: 'reply', subject: 'Away', text: 'Back on Monday.', start: '20300701000000Z', end: '20300715000000Z' })
  await screenshot(page, 'user-vacation')

  // Quota: an invalid compound quota is refused by the server under the field; the input stays
  await page.getByRole('tab', { name: 'Quota' }).click()
  await page.getByLabel('Disk quota').fill('2G;#voice')
  await page.getByRole('button', { name: 'Save changes' }).click()
  await expect(page.locator('#mailQuota-err')).toBeVisible()
  await expect(page.getByLabel('Disk quota')).toHaveValue('2G;#voice')
  expect((await get()).mailQuota).toBeUndefined()
  await page.getByLabel('Disk quota').fill('100M')
  await page.getByRole('button', { name: 'Save changes' }).click()
  await expect.poll(async () => (await get()).mailQuota).toBe('100M')
  await expect(page.getByTestId('quota-usage')).toBeVisible()
  await screenshot(page, 'user-quota')

  // Password reset, checked with a real IMAP login
  await page.getByRole('button', { name: 'Reset password' }).click()
  const dlg = page.getByRole('dialog', { name: /New password for/ })
  await dlg.getByLabel('New password').fill('Second-pass-2!')
  await dlg.getByRole('button', { name: 'Set password' }).click()
  await expect(page.getByText('Password changed')).toBeVisible()
  await expect(dlg).toBeHidden()
  expect(await imapLoginWorks(`${uid}@${domain}`, 'Second-pass-2!')).toBe(true)
  expect(await imapLoginWorks(`${uid}@${domain}`, 'First-pass-1!')).toBe(false)

  // Disable (confirm) and enable
  await page.getByRole('button', { name: 'Disable' }).click()
  const dis = page.getByRole('dialog', { name: /Disable/ })
  await dis.getByRole('button', { name: 'Disable' }).click()
  await expect.poll(async () => (await get()).status).toBe('disabled')
  await expect(page.getByRole('heading', { level: 1 })).toContainText('disabled')
  await page.getByRole('button', { name: 'Enable' }).click()
  await expect.poll(async () => (await get()).status).toBe('active')

  // Delete: Esc cancels the confirmation, then confirm
  await page.getByRole('button', { name: 'Delete' }).click()
  const del = page.getByRole('dialog', { name: /Delete/ })
  await expect(del.getByRole('button', { name: 'Cancel' })).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(del).toBeHidden()
  expect((await get()).status).toBe('active')
  await page.getByRole('button', { name: 'Delete' }).click()
  await del.getByRole('button', { name: 'Delete' }).click()
  await expect.poll(async () => (await get()).status).toBe('deleted')
  await expect(page.getByLabel('Disk quota')).toBeDisabled() // a deleted entry is read-only

  // Purge (global admin): type the uid to confirm
  await page.getByRole('button', { name: 'Purge' }).click()
  const purge = page.getByRole('dialog', { name: /Purge/ })
  await expect(purge.getByRole('button', { name: 'Purge' })).toBeDisabled()
  await purge.getByRole('textbox').fill(uid)
  await purge.getByRole('button', { name: 'Purge' }).click()
  await expect(page).toHaveURL(/\/users$/)
  expect((await g.query('users.get', { uid, domain })).error?.data?.code).toBe('NOT_FOUND')
})

test('bulk import: a dry run reports per row and creates nothing; the import creates the good rows', async ({ page }) => {
  const g = await globalApi()
  const domain = await newDomain(g, 'imp')
  const a = unique('ia')
  const b = unique('ib')
  const bad = unique('ic')
  const csv = `uid,cn,password,mailQuota\n${a},Import A,Pw-a-2026!,10M\n${b},Import B,Pw-b-2026!,\n${bad},Import C,Pw-c-2026!,12 parsecs\n`

  await signInAsAdmin(page)
  await page.goto('/users/import')
  await page.getByLabel('Domain').selectOption(domain)
  await page.getByLabel('Entries').fill(csv)
  await page.getByRole('button', { name: 'Dry run' }).click()
  const report = page.getByRole('region', { name: 'Dry run report' })
  await expect(report).toContainText('2 would be created')
  await expect(report).toContainText('1 failed')
  await expect(report.getByRole('row').filter({ hasText: bad })).toContainText(/quota/i)
  expect((await g.query('users.get', { uid: a, domain })).error?.data?.code).toBe('NOT_FOUND')
  await screenshot(page, 'users-import-dry-run')

  await page.getByRole('button', { name: 'Import', exact: true }).click()
  const done = page.getByRole('region', { name: 'Import report' })
  await expect(done).toContainText('2 created')
  expect((await g.query<UserDetail>('users.get', { uid: a, domain })).data?.mailQuota).toBe('10M')
  expect((await g.query<UserDetail>('users.get', { uid: b, domain })).data?.cn).toBe('Import B')
  expect((await g.query('users.get', { uid: bad, domain })).error?.data?.code).toBe('NOT_FOUND')
})

test('domains: search, a stale edit is refused with a reload banner, delete asks and refuses a non-empty domain', async ({ page }) => {
  const g = await globalApi()
  const busy = await newDomain(g, 'dbusy')
  const empty = await newDomain(g, 'dempty')
  expect((await g.mutate('users.create', { uid: 'someone', domain: busy, password: 'Pw-x-2026!', cn: 'Some One' })).error).toBeUndefined()

  await signInAsAdmin(page)
  await page.goto('/domains')
  await page.getByLabel('Search domains').fill(busy.split('.')[0]!)
  const rows = page.getByRole('table', { name: 'Domains' }).locator('tbody tr[data-row]')
  await expect(rows).toHaveCount(1)
  await expect(rows.first()).toContainText(busy)
  await rows.first().getByRole('link', { name: busy }).click()
  await expect(page.getByRole('heading', { level: 1 })).toContainText(busy)

  // someone else changes the domain after the page loaded it
  const cur = (await g.query<DomainDetail>('domains.get', { name: busy })).data!
  const alias = `${unique('al')}.example`
  // entry versions have millisecond resolution: make sure the other change lands in a later one
  await new Promise((r) => setTimeout(r, 5))
  expect((await g.mutate('domains.update', { name: busy, version: cur.version, aliases: [alias] })).error).toBeUndefined()
  await page.getByLabel('Status').selectOption('hold')
  await page.getByRole('button', { name: 'Save changes' }).click()
  await expect(page.getByRole('alert').filter({ hasText: 'Changed by someone else since you opened it' })).toBeVisible()
  await expect(page.getByLabel('Status')).toHaveValue('hold') // the edit is kept until reload
  expect((await g.query<DomainDetail>('domains.get', { name: busy })).data!.status).toBe('active')
  await screenshot(page, 'domain-stale-edit')
  await page.getByRole('button', { name: 'Reload' }).click()
  await expect(page.getByLabel('Aliases')).toHaveValue(alias)
  await expect(page.getByLabel('Status')).toHaveValue('active')

  // a domain with users is not deleted
  await page.getByRole('button', { name: 'Delete' }).click()
  let dlg = page.getByRole('dialog', { name: `Delete domain ${busy}?` })
  await dlg.getByRole('textbox').fill(busy)
  await dlg.getByRole('button', { name: 'Delete' }).click()
  await expect(page.getByRole('alert').filter({ hasText: /not empty|users|empty/i }).last()).toBeVisible()
  expect((await g.query<DomainDetail>('domains.get', { name: busy })).data!.status).toBe('active')

  // an empty one is
  await page.goto(`/domains/${empty}`)
  await page.getByRole('button', { name: 'Delete' }).click()
  dlg = page.getByRole('dialog', { name: `Delete domain ${empty}?` })
  await dlg.getByRole('textbox').fill(empty)
  await dlg.getByRole('button', { name: 'Delete' }).click()
  await expect(page).toHaveURL(/\/domains$/)
  const after = await g.query<DomainDetail>('domains.get', { name: empty })
  expect(after.error?.data?.code === 'NOT_FOUND' || after.data?.status === 'deleted').toBe(true)
})

test('groups: edit the members, then delete the group', async ({ page }) => {
  const g = await globalApi()
  const domain = await newDomain(g, 'grp')
  for (const uid of ['m1', 'm2']) expect((await g.mutate('users.create', { uid, domain, password: 'Pw-m-2026!', cn: uid })).error).toBeUndefined()
  const cn = unique('list')
  expect((await g.mutate('groups.create', { cn, domain, members: [`m1@${domain}`] })).error).toBeUndefined()

  await signInAsAdmin(page)
  await page.goto(`/groups?domain=${domain}`)
  await page.getByRole('link', { name: cn }).click()
  await expect(page.getByLabel('Members')).toHaveValue(`m1@${domain}`)
  await page.getByLabel('Members').fill(`m2@${domain}\nfriend@outside.example`)
  await page.getByRole('button', { name: 'Save changes' }).click()
  await expect(page.getByText('Group saved')).toBeVisible()
  const members = (await g.query<{ members: string[] }>('groups.get', { cn, domain })).data!.members.map((m) => m.toLowerCase()).sort()
  expect(members).toEqual([`friend@outside.example`, `m2@${domain}`].sort())
  await screenshot(page, 'group-members')

  // the user page lists the group
  await page.goto(userUrl('m2', domain))
  await page.getByRole('tab', { name: 'Groups' }).click()
  await expect(page.getByRole('tabpanel')).toContainText(cn)

  await page.goto(`/groups/${domain}/${cn}`)
  await page.getByRole('button', { name: 'Delete' }).click()
  await page.getByRole('dialog', { name: /Delete group/ }).getByRole('button', { name: 'Delete' }).click()
  await expect(page).toHaveURL(/\/groups$/)
  const after = await g.query<{ status: string }>('groups.get', { cn, domain })
  expect(after.error?.data?.code === 'NOT_FOUND' || after.data?.status === 'deleted').toBe(true)
})

test('a narrow window: the sidebar collapses behind a menu button', async ({ page }) => {
  await page.setViewportSize({ width: 600, height: 900 })
  await signInAsAdmin(page)
  const nav = page.getByRole('navigation', { name: 'Main' })
  await expect(nav).not.toBeInViewport()
  const menu = page.getByRole('button', { name: 'Menu' })
  await menu.click()
  await expect(menu).toHaveAttribute('aria-expanded', 'true')
  await expect(nav).toBeInViewport()
  await screenshot(page, 'narrow-menu')
  await nav.getByRole('link', { name: 'Users' }).click()
  await expect(page).toHaveURL(/\/users$/)
  await expect(nav).not.toBeInViewport()
  await expect(page.getByRole('table', { name: 'Users' })).toBeVisible()
  await screenshot(page, 'narrow-users')
})
