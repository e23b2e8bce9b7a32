// The console's quota views (issue 6, console-a): a user with a 1M disk quota gets ~930 KB of mail
// over real IMAP (python3 imaplib APPEND); the Quotas page lists them among the users nearest their
// limit with the warning state, shows the domain's totals and the user's usage on demand, and the
// user's Quota tab shows the same figures.
import { adminPassword, api, apiSignIn, expect, screenshot, signInAsAdmin, test, unique } from './fixtures.js'
import { imapAppend } from './directory-helpers.js'

interface QuotaState { diskLimit: number; diskUsed: number; msgLimit: number; msgUsed: number; diskPercent: number; state: string }

test('quotas: nearest users, per-domain totals and one user\'s usage', async ({ page }) => {
  const g = api(await apiSignIn('admin', adminPassword()))
  const domain = `${unique('q')}.example`
  expect((await g.mutate('domains.create', { name: domain, diskQuota: '10M' })).error).toBeUndefined()
  const uid = unique('full')
  const password = 'Quota-pass-1!'
  const cr = await g.mutate('users.create', { uid, domain, password, cn: 'Nearly Full', mailQuota: '1M', mailMsgQuota: '100' })
  expect(cr.error, JSON.stringify(cr.error)).toBeUndefined()
  await imapAppend(`${uid}@${domain}`, password, 310_000, 3)

  // the API's view first: this is what the page must show
  let q: QuotaState | undefined
  await expect.poll(async () => {
    q = (await g.query<QuotaState>('quotas.user', { uid, domain })).data
    return q?.diskPercent ?? 0
  }, { timeout: 15_000 }).toBeGreaterThanOrEqual(85)
  expect(q!.diskLimit).toBe(1024 * 1024)
  expect(q!.msgUsed).toBe(3)

  await signInAsAdmin(page)
  await page.goto(`/quotas?domain=${domain}`)
  const nearest = page.getByRole('table', { name: 'Users nearest their quota' })
  const row = nearest.locator('tbody tr[data-row]').filter({ hasText: `${uid}@${domain}` })
  await expect(row).toBeVisible()
  await expect(row).toContainText(q!.state)
  const bar = row.getByRole('meter', { name: 'Disk' })
  expect(Number(await bar.getAttribute('aria-valuenow'))).toBeGreaterThanOrEqual(85)
  await expect(row.getByRole('meter', { name: 'Messages' })).toHaveAttribute('aria-valuenow', '3')

  // per-domain totals (every domain, paged, filterable): the domain's 10M and what the user stored
  const totals = page.getByRole('region', { name: 'Per-domain totals' })
  await expect(totals.getByTestId('quota-grand-total')).toContainText('All domains:')
  await totals.getByLabel('Filter domains').fill(domain)
  const item = totals.getByRole('listitem').filter({ hasText: domain })
  await expect(item).toContainText('/ 10M')
  await expect(totals.getByRole('listitem')).toHaveCount(1)
  await expect(item).toContainText('1 mailbox')

  // one user's usage on demand
  const lookup = page.getByRole('region', { name: "A user's usage" })
  await lookup.getByLabel('User ID').fill(uid)
  await lookup.getByLabel('Domain').selectOption(domain)
  await lookup.getByRole('button', { name: 'Show' }).click()
  await expect(lookup.getByTestId('quota-usage').getByRole('meter', { name: 'Disk' })).toHaveAttribute('aria-valuenow', String(Math.min(100, Math.round(q!.diskUsed / q!.diskLimit * 1000) / 10)))
  await screenshot(page, 'quotas')

  // the user's Quota tab
  await page.goto(`/users/${domain}/${uid}`)
  await page.getByRole('tab', { name: 'Quota' }).click()
  await expect(page.getByTestId('quota-usage')).toContainText('/ 1M')
  await expect(page.getByLabel('Disk quota')).toHaveValue('1M')
  await screenshot(page, 'user-quota-tab')

  // and the dashboard lists them among the nearest
  await page.goto('/')
  await expect(page.getByRole('table', { name: 'Users nearest their quota' })).toBeVisible()
})
