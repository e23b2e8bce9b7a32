'use client'
// The signed-in administrator (auth.me) and what the UI should offer them. The UI hides what a
// role can't do; the server enforces the same rules regardless (issue 6: roles).
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { createContext, useContext, useEffect, type ReactNode } from 'react'
import { setCsrfToken, useTRPC, type RouterOutputs } from './trpc'

/** auth.me: { username, role, domains, csrfToken, … } */
export type Me = NonNullable<RouterOutputs['auth']['me']>
export type Role = Me['role']

export interface Session {
  me: Me
  isGlobal: boolean
  isAuditor: boolean
  /** May change things at all (global or domain admin). */
  canWrite: boolean
  /** May change users/groups/quotas of this domain. */
  canWriteDomain: (domain: string) => boolean
}

export function sessionFor(me: Me): Session {
  const isGlobal = me.role === 'global'
  const isAuditor = me.role === 'auditor'
  const lower = me.domains.map((d) => d.toLowerCase())
  return {
    me,
    isGlobal,
    isAuditor,
    canWrite: !isAuditor,
    canWriteDomain: (d) => isGlobal || (me.role === 'domain' && lower.includes(d.toLowerCase())),
  }
}

// The last auth.me answer of this tab (sessionStorage), shown while the real answer is on its way:
// the shell and the page's own queries then start at once instead of after an auth.me round trip.
// Only a hint for the UI - the server checks every request, and a null auth.me (signed out or
// expired) still sends the browser to the sign-in page.
const ME_KEY = 'wren.console.me'

export function rememberMe(me: Me | null): void {
  try {
    if (me) sessionStorage.setItem(ME_KEY, JSON.stringify(me))
    else sessionStorage.removeItem(ME_KEY)
  } catch {
    /* storage unavailable: no hint */
  }
}

function rememberedMe(): Me | undefined {
  try {
    const raw = sessionStorage.getItem(ME_KEY)
    return raw ? (JSON.parse(raw) as Me) : undefined
  } catch {
    return undefined
  }
}

/** auth.me as a query; also keeps the CSRF token for mutations in step with the session. */
export function useMeQuery() {
  const trpc = useTRPC()
  const qc = useQueryClient()
  const key = trpc.auth.me.queryKey()
  const q = useQuery({ ...trpc.auth.me.queryOptions(), staleTime: 60_000 })
  const me = q.data as Me | null | undefined
  if (me) setCsrfToken(me.csrfToken)
  // After hydration (sessionStorage does not exist on the server): the remembered answer while the
  // request is pending; the real answer replaces it when it arrives.
  useEffect(() => {
    if (q.isFetched) return
    const hint = rememberedMe()
    if (hint && qc.getQueryData(key) === undefined) qc.setQueryData(key, hint, { updatedAt: 0 })
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])
  useEffect(() => {
    if (q.isFetched && !q.isError) rememberMe(me ?? null)
  }, [q.isFetched, q.isError, me])
  return { ...q, me }
}

const SessionContext = createContext<Session | null>(null)

export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  return <SessionContext.Provider value={sessionFor(me)}>{children}</SessionContext.Provider>
}

/** Inside the (console) shell: the signed-in session (never null there). */
export function useSession(): Session {
  const s = useContext(SessionContext)
  if (!s) throw new Error('useSession() outside the signed-in console shell')
  return s
}
