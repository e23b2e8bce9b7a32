// Delegated administration (issue 6 §2 and "Done when"): a global administrator creates a domain
// administrator on the Administrators page; that administrator sees only their domain — in the UI
// and when calling the API directly with their own session cookie — and cannot raise their rights.
import { adminPassword, api, apiSignIn, expect, pageCookie, screenshot, signIn, signInAsAdmin, test, unique } from './fixtures.js'

test('a domain administrator cannot see or change another domain, in the UI or through the API', async ({ page, browser }) => {
  const global = api(await apiSignIn('admin', adminPassword()))
  const mine = `${unique('da')}.example`
  const other = `${unique('db')}.example`
  const uidMine = unique('alice')
  const uidOther = unique('bob')
  for (const [d, uid] of [[mine, uidMine], [other, uidOther]] as const) {
    const dc = await global.mutate('domains.create', { name: d })
    expect(dc.error, JSON.stringify(dc.error)).toBeUndefined()
    const uc = await global.mutate('users.create', { uid, domain: d, password: 'S3cret-pass!', cn: `User ${uid}` })
    expect(uc.error, JSON.stringify(uc.error)).toBeUndefined()
  }

  // -- the global administrator creates the domain administrator in the console
  await signInAsAdmin(page)
  await page.goto('/admins')
  await expect(page.getByRole('table', { name: 'Administrators' }).locator('tr[data-admin="admin"]')).toContainText('global')
  const name = unique('dadmin')
  const password = 'Da-pass-1234!'
  const create = async () => {
    await page.getByRole('button', { name: 'New administrator' }).click()
    const form = page.getByRole('dialog', { name: 'New administrator' })
    await form.getByLabel('User name').fill(name)
    await form.getByRole('textbox', { name: 'Password', exact: true }).fill(password)
    await form.getByLabel('Role').selectOption('domain')
    await form.getByLabel(mine, { exact: true }).check()
    await form.getByRole('button', { name: 'Create administrator' }).click()
    return form
  }
  let form = await create()
  await expect(form).toBeHidden()
  const row = page.locator(`tr[data-admin="${name}"]`)
  await expect(row).toContainText('domain')
  await expect(row).toContainText(mine)
  await screenshot(page, 'admins')

  // a second administrator with the same name is refused with a clear message
  form = await create()
  await expect(form.getByRole('alert')).toContainText(/already exists/i)
  await form.getByRole('button', { name: 'Cancel' }).click()
  await expect(page.locator(`tr[data-admin="${name}"]`)).toHaveCount(1)

  // -- the domain administrator, in a browser of their own
  const ctx = await browser.newContext()
  const dpage = await ctx.newPage()
  try {
    await signIn(dpage, name, password)
    const nav = dpage.getByRole('navigation').first()
    await expect(nav.getByRole('link', { name: 'Users' })).toBeVisible()
    await expect(nav.getByRole('link', { name: 'Administrators' })).toHaveCount(0)
    await expect(nav.getByRole('link', { name: 'Configuration' })).toHaveCount(0)
    await dpage.goto('/users')
    await expect(dpage.getByText(uidMine).first()).toBeVisible()
    await expect(dpage.getByText(uidOther)).toHaveCount(0)
    await screenshot(dpage, 'domain-admin-users')
    await dpage.goto('/domains')
    await expect(dpage.getByText(mine).first()).toBeVisible()
    await expect(dpage.getByText(other)).toHaveCount(0)
    await dpage.goto('/admins')
    await expect(dpage.getByText('Only global administrators manage administrators')).toBeVisible()

    // -- the same administrator calling the API directly with their cookie
    const cookie = await pageCookie(dpage)
    const da = api(cookie)
    const me = await da.query<{ username: string; role: string; domains: string[] }>('auth.me')
    expect(me.data).toMatchObject({ username: name, role: 'domain', domains: [mine] })
    const domains = await da.query<{ items: Array<{ name: string }> }>('domains.list', {})
    expect(domains.data!.items.map((d) => d.name)).toEqual([mine])
    const users = await da.query<{ items: Array<{ uid: string; domain: string }> }>('users.list', {})
    expect(users.data!.items.length).toBeGreaterThan(0)
    expect(users.data!.items.every((u) => u.domain === mine)).toBe(true)
    const refused = (r: { status: number; error?: { data?: { code?: string } } }) =>
      expect(['FORBIDDEN', 'NOT_FOUND'], JSON.stringify(r)).toContain(r.error?.data?.code)
    refused(await da.query('users.list', { domain: other }))
    refused(await da.query('users.get', { uid: uidOther, domain: other }))
    refused(await da.query('domains.get', { name: other }))
    refused(await da.mutate('users.create', { uid: unique('eve'), domain: other, password: 'S3cret-pass!', cn: 'Eve' }))
    refused(await da.mutate('users.setStatus', { uid: uidOther, domain: other, status: 'disabled' }))
    refused(await da.mutate('domains.create', { name: `${unique('dc')}.example` }))
    refused(await da.query('admins.list'))
    refused(await da.mutate('admins.create', { username: unique('x'), password: 'Xx-pass-1234!', role: 'global', domains: [] }))
    refused(await da.mutate('admins.update', { username: name, version: 'x', role: 'global', domains: [mine, other] }))
    refused(await da.mutate('config.set', { changes: [{ name: 'imap.maxmessagesize', value: '1' }], remark: 'x', baseVersion: 0 }))
    refused(await da.mutate('services.action', { name: 'pop', action: 'stop' }))
    // a mutation without the CSRF token is refused even for what they may do
    const noCsrf = await fetch(new URL('/trpc/users.setStatus', page.url()), {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ uid: uidMine, domain: mine, status: 'inactive' }),
    })
    expect(noCsrf.status).toBe(403)
    // the audit log they can read is about their domain only
    const audit = await da.query<{ items: Array<{ domain: string }> }>('audit.list', {})
    expect(audit.error, JSON.stringify(audit.error)).toBeUndefined()
    expect(audit.data!.items.every((e) => e.domain === mine)).toBe(true)
    // nothing changed in the other domain
    const bob = await global.query<{ status: string }>('users.get', { uid: uidOther, domain: other })
    expect(bob.data?.status).toBe('active')
    const admins = await global.query<Array<{ username: string; role: string; domains: string[] }>>('admins.list')
    expect(admins.data!.find((a) => a.username === name)).toMatchObject({ role: 'domain', domains: [mine] })

    // -- the global administrator widens the scope, then deletes the account: its session ends
    await page.locator(`tr[data-admin="${name}"]`).getByRole('button', { name: `Edit ${name}` }).click()
    form = page.getByRole('dialog', { name: `Edit ${name}` })
    await form.getByLabel(other, { exact: true }).check()
    await form.getByRole('button', { name: 'Save' }).click()
    await expect(form).toBeHidden()
    await expect(page.locator(`tr[data-admin="${name}"]`)).toContainText(other)
    expect((await da.query<{ domains: string[] }>('auth.me')).data?.domains.sort()).toEqual([mine, other].sort())

    await page.locator(`tr[data-admin="${name}"]`).getByRole('button', { name: `Delete ${name}` }).click()
    const confirm = page.getByRole('dialog', { name: `Delete administrator ${name}?` })
    await confirm.getByRole('button', { name: 'Delete' }).click()
    await expect(page.locator(`tr[data-admin="${name}"]`)).toHaveCount(0)
    const gone = await da.query('auth.me')
    expect(gone.data ?? null).toBeNull()
    expect((await da.query('users.list', {})).error?.data?.code).toBe('UNAUTHORIZED')
  } finally {
    await ctx.close()
  }
})
