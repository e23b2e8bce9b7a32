// What the console specs share: the console's URL as baseURL, the first-run admin's password,
// signing in through the sign-in page, calling the admin API directly with a session cookie, and
// full-page screenshots into test-results/screenshots/.
import { join } from 'node:path'
import { expect, test as base, type Page } from '@playwright/test'
import { repo } from './daemon.js'

function env(name: string): string {
  const v = process.env[name]
  if (!v) throw new Error(`${name} is not set: run the console tests with \`npx playwright test\` (global setup starts the daemon)`)
  return v
}

export const consoleUrl = () => env('WREN_E2E_CONSOLE_URL')
export const adminPassword = () => env('WREN_E2E_ADMIN_PASSWORD')
export const defaultDomain = () => env('WREN_E2E_DOMAIN')

/** A name no other spec (or earlier run of this one) uses. */
export function unique(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`
}

export const test = base.extend<{ consoleErrors: string[] }>({
  baseURL: async ({}, use) => { await use(consoleUrl()) },
  // "no console errors" (issue 6 §8): every page error or console.error fails the test at its end
  consoleErrors: [async ({ page }, use) => {
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
    page.on('console', (m) => {
      // a 4xx answer the page expects (a refused or invalid request) is logged by Chromium as a
      // failed resource load; that is the API doing its job, not a page error
      if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) errors.push(m.text())
    })
    await use(errors)
    expect(errors, 'errors in the browser console').toEqual([])
  }, { auto: true }],
})
export { expect }

/** Signs in through the sign-in page and waits for the console's shell. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/sign-in')
  await page.getByLabel(/user ?name/i).fill(username)
  await page.getByLabel(/password/i).fill(password)
  await page.getByRole('button', { name: /sign in/i }).click()
  await expect(page.getByRole('navigation').first()).toBeVisible()
}

export async function signInAsAdmin(page: Page): Promise<void> {
  await signIn(page, 'admin', adminPassword())
}

/** A full-page screenshot of the current page: test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(repo, 'test-results', 'screenshots', `${name}.png`), fullPage: true })
}

export interface TrpcAnswer<T = unknown> {
  status: number
  data?: T
  error?: { message: string; code?: string; data?: { code?: string; httpStatus?: number; fieldErrors?: Record<string, string> } }
}

/**
 * The admin API over HTTP with a session cookie (`wren_session=…`), through the console's origin as
 * the browser calls it. tRPC's HTTP shape without a transformer: queries are GET with `?input=`,
 * mutations POST their input as the JSON body and carry the session's CSRF token.
 */
export function api(cookie: string, origin = consoleUrl()) {
  let csrf: string | undefined
  const call = async <T>(method: 'GET' | 'POST', path: string, input: unknown): Promise<TrpcAnswer<T>> => {
    const url = new URL(`/trpc/${path}`, origin)
    const headers: Record<string, string> = { cookie }
    if (method === 'GET' && input !== undefined) url.searchParams.set('input', JSON.stringify(input))
    if (method === 'POST') {
      headers['content-type'] = 'application/json'
      if (csrf === undefined) {
        const me = await call<{ csrfToken: string } | null>('GET', 'auth.me', undefined)
        csrf = me.data?.csrfToken ?? ''
      }
      headers['x-csrf-token'] = csrf
    }
    const res = await fetch(url, { method, headers, body: method === 'POST' ? JSON.stringify(input ?? null) : undefined })
    const body = (await res.json()) as { result?: { data: T }; error?: TrpcAnswer['error'] }
    return { status: res.status, data: body.result?.data, error: body.error }
  }
  return {
    query: <T = unknown>(path: string, input?: unknown) => call<T>('GET', path, input),
    mutate: <T = unknown>(path: string, input?: unknown) => call<T>('POST', path, input),
  }
}

/** Signs in over the API; returns the `wren_session=…` cookie. */
export async function apiSignIn(username: string, password: string, origin = consoleUrl()): Promise<string> {
  const res = await fetch(new URL('/trpc/auth.signIn', origin), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('wren_session='))
  if (!res.ok || !cookie) throw new Error(`sign-in of ${username} failed: ${res.status} ${await res.text()}`)
  return cookie
}

/** The session cookie of a signed-in page, for api(). */
export async function pageCookie(page: Page): Promise<string> {
  const c = (await page.context().cookies()).find((x) => x.name === 'wren_session')
  if (!c) throw new Error('the page has no wren_session cookie')
  return `wren_session=${c.value}`
}
