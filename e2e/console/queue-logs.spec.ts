// The queue and mail.log viewers (issue 6 §2 "queue entries and log lines", issue 5 §4/§8): a
// message relayed to a host that refuses connections (a domain literal on a loopback address
// where nothing listens on port 25) stays queued after its first attempt; the queue page lists it,
// holds it (bulk action with confirmation), releases it from the entry drawer and deletes it with
// confirmation; the mail.log page finds its E and Q records (and the K of the delete) by address.
import { execFile } from 'node:child_process'
import { adminPassword, api, defaultDomain, expect, pageCookie, screenshot, signIn, test, unique } from './fixtures.js'

interface ServicesStatus { services: Array<{ name: string; listeners?: Array<{ name: string; port: number }> }> }

function swaks(args: string[]): Promise<string> {
  return new Promise((resolve) => execFile('swaks', [...args, '--timeout', '20'], (_e, out, err) => resolve(out + err)))
}

test('queue page: a deferred message is listed, held, released and deleted; mail.log page finds its records', async ({ page }) => {
  await signIn(page, 'admin', adminPassword())
  const gapi = api(await pageCookie(page))
  const st = await gapi.query<ServicesStatus>('services.status')
  const smtp = st.data!.services.find((s) => s.name === 'dispatcher')?.listeners?.find((l) => !/submit/i.test(l.name))?.port
  expect(smtp, 'the dispatcher SMTP port').toBeTruthy()

  const sender = `${unique('qsender')}@${defaultDomain()}`
  const out = await swaks(['--server', `127.0.0.1:${smtp}`, '--from', sender, '--to', 'nobody@[127.0.0.2]', '--header', 'Subject: queue viewer test'])
  expect(out).toMatch(/<- +250 2\.\d\.\d /)

  // -- the queue page lists it after its first (failed) attempt
  await page.getByRole('link', { name: 'Queue', exact: true }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Queue' })).toBeVisible()
  // the filter applies after its debounce and clears any selection made before it: wait for the
  // filtered list request before selecting anything
  const filtered = page.waitForResponse((r) => r.url().includes('queue.list') && decodeURIComponent(r.url()).includes(sender))
  await page.getByRole('textbox', { name: 'Sender' }).fill(sender)
  await filtered
  const table = page.getByRole('table', { name: 'Queue entries' })
  const row = table.getByRole('row').filter({ hasText: sender })
  await expect(async () => {
    await page.getByRole('textbox', { name: 'Sender' }).press('End') // no-op keystroke; the list refetches on its own
    await expect(row.getByText('delayed')).toBeVisible({ timeout: 3_000 })
  }).toPass({ timeout: 60_000 })
  await expect(row).toContainText('nobody@[127.0.0.2]')
  await screenshot(page, 'queue')

  // -- hold: select the row, bulk action, confirmation naming the count
  await row.getByRole('checkbox').check()
  const bulk = page.getByRole('region', { name: 'Bulk actions' })
  await expect(bulk).toContainText('1 selected')
  await bulk.getByRole('button', { name: 'Hold' }).click()
  const dialog = page.getByRole('dialog', { name: 'Hold 1 message?' })
  await expect(dialog).toBeVisible()
  await screenshot(page, 'queue-hold-confirm')
  await dialog.getByRole('button', { name: 'Hold' }).click()
  await expect(page.getByText('1 message held')).toBeVisible()
  await expect(row.getByText('held', { exact: true })).toBeVisible()

  // -- release from the entry drawer (keyboard: the row opens with Enter)
  await row.focus()
  await page.keyboard.press('Enter')
  const drawer = page.getByRole('dialog').filter({ has: page.getByTestId('queue-entry') })
  await expect(drawer).toBeVisible()
  await expect(drawer.getByTestId('queue-entry')).toContainText('Subject: queue viewer test')
  await expect(drawer.getByTestId('queue-entry')).toContainText(sender)
  await screenshot(page, 'queue-entry')
  await drawer.getByRole('button', { name: 'Release' }).click()
  await page.getByRole('dialog', { name: 'Release 1 message?' }).getByRole('button', { name: 'Release' }).click()
  await expect(page.getByText('1 message released')).toBeVisible()
  await drawer.getByRole('button', { name: 'Close' }).click()
  await expect(row.getByText('held', { exact: true })).toHaveCount(0)

  // -- delete with confirmation: the queue no longer has it
  await row.getByRole('checkbox').check()
  await bulk.getByRole('button', { name: 'Delete' }).click()
  const del = page.getByRole('dialog', { name: 'Delete 1 message?' })
  await expect(del).toContainText('without any notice')
  await del.getByRole('button', { name: 'Delete' }).click()
  await expect(page.getByText('1 message deleted')).toBeVisible()
  await expect(table.getByText('No queued message matches these filters.')).toBeVisible()

  // -- the mail.log page finds its records by address
  await page.getByRole('link', { name: 'Mail log', exact: true }).click()
  await page.getByRole('textbox', { name: 'Address contains' }).fill(sender)
  const logs = page.getByRole('table', { name: 'Log records' })
  await expect(logs.locator('tr[data-log-action="E"]').first()).toBeVisible()
  await expect(logs.locator('tr[data-log-action="Q"]').first()).toBeVisible()
  await expect(logs.locator('tr[data-log-action="K"]').first()).toBeVisible()
  const q = logs.locator('tr[data-log-action="Q"]').first()
  await expect(q).toContainText('tcp_local')
  await expect(q).toContainText('Temporary failure')
  await q.getByRole('button', { name: 'Show the raw line' }).click()
  await expect(logs.locator('pre').first()).toContainText(` Q `)
  await screenshot(page, 'mail-log')
})
