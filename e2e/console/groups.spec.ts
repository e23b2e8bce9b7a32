// The group editor's member picker (issue 6: group membership at 100k users): search-as-you-type
// over users and groups with chips, used from the keyboard only; the paste-a-list text area edits
// the same list.
import { adminPassword, api, apiSignIn, expect, screenshot, signInAsAdmin, test, unique } from './fixtures.js'

test('groups: pick members from the keyboard, remove a chip, paste a list, save', async ({ page }) => {
  const g = api(await apiSignIn('admin', adminPassword()))
  const domain = `${unique('pick')}.example`
  expect((await g.mutate('domains.create', { name: domain })).error).toBeUndefined()
  for (const [uid, cn] of [['rosalind', 'Rosalind Franklin'], ['rosa', 'Rosa Parks'], ['alan', 'Alan Turing']]) {
    const r = await g.mutate('users.create', { uid, domain, password: 'Pick-pass-2026!', cn })
    expect(r.error, JSON.stringify(r.error)).toBeUndefined()
  }
  const sub = unique('sub')
  expect((await g.mutate('groups.create', { cn: sub, domain, members: [] })).error).toBeUndefined()
  const cn = unique('team')
  expect((await g.mutate('groups.create', { cn, domain, members: [`alan@${domain}`] })).error).toBeUndefined()

  await signInAsAdmin(page)
  await page.goto(`/groups/${domain}/${cn}`)
  const box = page.getByRole('combobox', { name: 'Add a user or group' })
  const chips = page.getByRole('list', { name: 'Current list' })
  await expect(chips.getByRole('listitem')).toHaveCount(1)
  await expect(chips).toContainText(`alan@${domain}`)

  // type part of a name: both Rosas are offered (server-side search); ↓ then Enter picks the second
  await box.focus()
  await page.keyboard.type('rosa')
  const options = page.getByRole('listbox', { name: 'Suggestions' }).getByRole('option')
  await expect(options.filter({ hasText: `rosalind@${domain}` })).toBeVisible()
  await expect(options.filter({ hasText: `rosa@${domain}` })).toBeVisible()
  const second = (await options.nth(1).textContent())!
  await page.keyboard.press('ArrowDown')
  await expect(options.nth(1)).toHaveAttribute('aria-selected', 'true')
  await expect(box).toHaveAttribute('aria-activedescendant', (await options.nth(1).getAttribute('id'))!)
  await page.keyboard.press('Enter')
  const picked = /<([^>]+)>/.exec(second)![1]!
  await expect(chips.getByRole('listitem')).toHaveCount(2)
  await expect(chips).toContainText(picked)
  await expect(box).toHaveValue('')

  // a group, then an outside address typed in full
  await page.keyboard.type(sub)
  await expect(options.filter({ hasText: '(group)' }).first()).toBeVisible()
  await page.keyboard.press('Enter')
  await expect(chips).toContainText(`${sub}@${domain}`)
  await page.keyboard.type('friend@outside.example')
  await page.keyboard.press('Enter')
  await expect(chips).toContainText('friend@outside.example')
  // Escape closes the suggestions; Backspace in the empty box removes the last chip
  await page.keyboard.type('ros')
  await expect(page.getByRole('listbox', { name: 'Suggestions' })).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(page.getByRole('listbox', { name: 'Suggestions' })).toBeHidden()
  await box.fill('')
  await page.keyboard.press('Backspace')
  await expect(chips).not.toContainText('friend@outside.example')
  // a chip's remove button
  await chips.getByRole('button', { name: `Remove alan@${domain}` }).click()
  await expect(chips.getByRole('listitem')).toHaveCount(2)

  // the paste-a-list box shows the same list and adds to it
  const text = page.getByLabel('Members')
  await expect(text).toHaveValue(`${picked}\n${sub}@${domain}`)
  await text.fill(`${picked}\n${sub}@${domain}\nlist@outside.example`)
  await expect(chips).toContainText('list@outside.example')
  await screenshot(page, 'group-member-picker')

  await page.getByRole('button', { name: 'Save changes' }).click()
  await expect(page.getByText('Group saved')).toBeVisible()
  const members = (await g.query<{ members: string[] }>('groups.get', { cn, domain })).data!.members.map((m) => m.toLowerCase()).sort()
  expect(members).toEqual([picked, `${sub}@${domain}`, 'list@outside.example'].sort())
})
