'use client'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { StatusBadge } from '@/components/ui/Badge'
import { Button } from '@/components/ui/Button'
import { ConfirmDialog } from '@/components/ui/ConfirmDialog'
import { ErrorState } from '@/components/ui/ErrorState'
import { LinkButton } from '@/components/ui/LinkButton'
import { PageHeader } from '@/components/ui/PageHeader'
import { QuotaBar } from '@/components/ui/QuotaBar'
import { Spinner } from '@/components/ui/Spinner'
import { useToast } from '@/components/ui/Toast'
import { humanMessage } from '@/lib/form-errors'
import { useSession } from '@/lib/session'
import { useTRPC } from '@/lib/trpc'
import { formatBytes, formatCount } from '@/lib/units'
import { DomainForm } from './DomainForm'
import { plural } from '@/lib/plural'

export function DomainDetailView({ name }: { name: string }) {
  const trpc = useTRPC()
  const qc = useQueryClient()
  const router = useRouter()
  const toast = useToast()
  const { isGlobal, canWriteDomain } = useSession()
  const [confirm, setConfirm] = useState(false)
  const q = useQuery({ ...trpc.domains.get.queryOptions({ name }), staleTime: 0 })
  const del = useMutation(
    trpc.domains.delete.mutationOptions({
      onSuccess: () => {
        setConfirm(false)
        toast.ok(`Domain ${name} deleted`)
        void qc.invalidateQueries({ queryKey: trpc.domains.pathKey() })
        router.push('/domains')
      },
      onError: (err) => {
        setConfirm(false)
        toast.error(humanMessage(err))
      },
    }),
  )
  const crumbs = (
    <Link href="/domains" className="hover:underline">
      Domains
    </Link>
  )
  if (q.isPending) return (<><PageHeader title={name} crumbs={crumbs} /><Spinner size={20} /></>)
  if (q.error) return (<><PageHeader title={name} crumbs={crumbs} /><ErrorState error={q.error} onRetry={() => void q.refetch()} /></>)
  const d = q.data
  return (
    <>
      <PageHeader
        crumbs={crumbs}
        title={<span className="flex items-center gap-3">{d.name}<StatusBadge status={d.status} /></span>}
        description={d.userCount !== undefined ? plural(d.userCount, 'user') : undefined}
        actions={
          <>
            <LinkButton href={`/users?domain=${encodeURIComponent(d.name)}`}>Users</LinkButton>
            {canWriteDomain(d.name) && <LinkButton href={`/users/new?domain=${encodeURIComponent(d.name)}`}>New user</LinkButton>}
            {isGlobal && d.status !== 'deleted' && (
              <Button variant="danger" onClick={() => setConfirm(true)}>
                Delete
              </Button>
            )}
          </>
        }
      />
      <div className="grid gap-6 xl:grid-cols-[1fr_20rem]">
        <DomainForm key={d.version} domain={d} readOnly={!isGlobal} onReload={() => void q.refetch()} />
        <DomainUsage name={d.name} />
      </div>
      <ConfirmDialog
        open={confirm}
        title={`Delete domain ${d.name}?`}
        confirmText={d.name}
        busy={del.isPending}
        onClose={() => setConfirm(false)}
        onConfirm={() => del.mutate({ name: d.name })}
      >
        The domain is marked deleted (inetDomainStatus: deleted) and stops receiving mail. A domain that still
        has users is refused: delete or move them first.
      </ConfirmDialog>
    </>
  )
}

function DomainUsage({ name }: { name: string }) {
  const trpc = useTRPC()
  const q = useQuery(trpc.quotas.domain.queryOptions({ domain: name }))
  return (
    <aside className="card flex h-fit flex-col gap-4 p-5" aria-label="Domain usage">
      <h2 className="text-lg font-semibold">Usage</h2>
      {q.isPending ? (
        <Spinner />
      ) : q.error ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <>
          <QuotaBar label="Disk" used={q.data.diskUsed} limit={q.data.diskLimit} format={formatBytes} />
          <QuotaBar label="Messages" used={q.data.msgUsed} limit={q.data.msgLimit} format={formatCount} />
          <p className="text-xs text-muted">{plural(q.data.users, 'mailbox', 'mailboxes')} in the message store</p>
          <LinkButton size="sm" href={`/quotas?domain=${encodeURIComponent(name)}`}>Nearest to quota</LinkButton>
        </>
      )}
    </aside>
  )
}
