'use client'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useRouter } from 'next/navigation'
import { Badge } from '@/components/ui/Badge'
import { Button } from '@/components/ui/Button'
import { rememberMe, type Me } from '@/lib/session'
import { setCsrfToken, useTRPC } from '@/lib/trpc'

const ROLE_LABEL: Record<Me['role'], string> = { global: 'Global admin', domain: 'Domain admin', auditor: 'Auditor' }

export function TopBar({ me, navOpen, onToggleNav }: { me: Me; navOpen: boolean; onToggleNav: () => void }) {
  const trpc = useTRPC()
  const qc = useQueryClient()
  const router = useRouter()
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({
      onSettled: () => {
        setCsrfToken(undefined)
        rememberMe(null)
        qc.clear()
        router.replace('/sign-in')
      },
    }),
  )
  return (
    <header className="sticky top-0 z-30 flex h-14 items-center justify-between gap-3 border-b border-line bg-surface px-4 lg:px-6">
      <button
        type="button"
        className="rounded-ctl border border-line px-2.5 py-1.5 text-sm lg:hidden"
        aria-controls="console-nav"
        aria-expanded={navOpen}
        onClick={onToggleNav}
      >
        <span aria-hidden="true">☰</span>
        <span className="sr-only">Menu</span>
      </button>
      <div className="flex-1" />
      <div className="flex items-center gap-3">
        <span className="hidden text-sm text-fg sm:inline" data-testid="signed-in-name">
          {me.username}
        </span>
        <Badge tone={me.role === 'global' ? 'info' : me.role === 'auditor' ? 'neutral' : 'ok'}>
          {ROLE_LABEL[me.role]}
          {me.role === 'domain' && me.domains.length > 0 && `: ${me.domains.join(', ')}`}
        </Badge>
        <Button size="sm" variant="ghost" loading={signOut.isPending} onClick={() => signOut.mutate()}>
          Sign out
        </Button>
      </div>
    </header>
  )
}
