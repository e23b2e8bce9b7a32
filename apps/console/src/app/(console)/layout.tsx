'use client'
// The signed-in shell: sidebar navigation + top bar around every console page. Not signed in
// (auth.me answers null) → the sign-in page, coming back here afterwards.
import { usePathname, useRouter } from 'next/navigation'
import { useEffect, useState, type ReactNode } from 'react'
import { Sidebar } from '@/components/shell/Sidebar'
import { TopBar } from '@/components/shell/TopBar'
import { ErrorState } from '@/components/ui/ErrorState'
import { Spinner } from '@/components/ui/Spinner'
import { SessionProvider, useMeQuery } from '@/lib/session'

export default function ConsoleLayout({ children }: { children: ReactNode }) {
  const { me, isPending, error, refetch } = useMeQuery()
  const router = useRouter()
  const pathname = usePathname()
  const [navOpen, setNavOpen] = useState(false)

  useEffect(() => {
    if (!isPending && !error && !me) router.replace(`/sign-in?next=${encodeURIComponent(pathname)}`)
  }, [isPending, error, me, pathname, router])

  if (error) {
    return (
      <main className="grid min-h-screen place-items-center">
        <ErrorState error={error} onRetry={() => void refetch()} title="The console cannot reach the server" />
      </main>
    )
  }
  if (!me) {
    return (
      <main className="grid min-h-screen place-items-center text-muted">
        <Spinner size={24} />
      </main>
    )
  }
  return (
    <SessionProvider me={me}>
      <a href="#main" className="sr-only-focusable fixed top-2 left-2 z-50 rounded-ctl bg-surface px-3 py-2">
        Skip to content
      </a>
      <div className="flex min-h-screen">
        {/* the column keeps the sidebar's colour down a long page (full-page screenshots, print); the
            nav inside stays sticky at viewport height on wide windows and slides in on narrow ones */}
        <div className="shrink-0 lg:w-56 lg:bg-sidebar">
          <Sidebar role={me.role} open={navOpen} onNavigate={() => setNavOpen(false)} />
        </div>
        {navOpen && <div className="fixed inset-0 z-30 bg-black/30 lg:hidden" aria-hidden="true" onClick={() => setNavOpen(false)} />}
        <div className="flex min-w-0 flex-1 flex-col">
          <TopBar me={me} navOpen={navOpen} onToggleNav={() => setNavOpen((o) => !o)} />
          <main id="main" className="mx-auto w-full max-w-7xl flex-1 px-4 py-6 lg:px-8">
            {children}
          </main>
        </div>
      </div>
    </SessionProvider>
  )
}
