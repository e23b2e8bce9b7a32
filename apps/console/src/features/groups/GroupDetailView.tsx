'use client'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { StatusBadge } from '@/components/ui/Badge'
import { Button } from '@/components/ui/Button'
import { ConfirmDialog } from '@/components/ui/ConfirmDialog'
import { ErrorState } from '@/components/ui/ErrorState'
import { PageHeader } from '@/components/ui/PageHeader'
import { Spinner } from '@/components/ui/Spinner'
import { useToast } from '@/components/ui/Toast'
import { humanMessage } from '@/lib/form-errors'
import { useSession } from '@/lib/session'
import { useTRPC } from '@/lib/trpc'
import { GroupForm } from './GroupForm'
import { plural } from '@/lib/plural'

export function GroupDetailView({ cn, domain }: { cn: string; domain: string }) {
  const trpc = useTRPC()
  const qc = useQueryClient()
  const router = useRouter()
  const toast = useToast()
  const { canWriteDomain } = useSession()
  const [confirm, setConfirm] = useState(false)
  const q = useQuery({ ...trpc.groups.get.queryOptions({ cn, domain }), staleTime: 0 })
  const del = useMutation(
    trpc.groups.delete.mutationOptions({
      onSuccess: () => {
        setConfirm(false)
        toast.ok(`Group ${cn} deleted`)
        void qc.invalidateQueries({ queryKey: trpc.groups.pathKey() })
        router.push('/groups')
      },
      onError: (err) => {
        setConfirm(false)
        toast.error(humanMessage(err))
      },
    }),
  )
  const crumbs = <Link href="/groups" className="hover:underline">Groups</Link>
  if (q.isPending) return (<><PageHeader title={cn} crumbs={crumbs} /><Spinner size={20} /></>)
  if (q.error) return (<><PageHeader title={cn} crumbs={crumbs} /><ErrorState error={q.error} onRetry={() => void q.refetch()} /></>)
  const g = q.data
  const writable = canWriteDomain(g.domain) && g.status !== 'deleted'
  return (
    <>
      <PageHeader
        crumbs={crumbs}
        title={<span className="flex items-center gap-3">{g.cn}<StatusBadge status={g.status} /></span>}
        description={`${g.mail} · ${plural(g.memberCount, 'member')}`}
        actions={writable && <Button variant="danger" onClick={() => setConfirm(true)}>Delete</Button>}
      />
      <GroupForm key={g.version} group={g} readOnly={!writable} onReload={() => void q.refetch()} />
      <ConfirmDialog open={confirm} title={`Delete group ${g.cn}?`} busy={del.isPending} onClose={() => setConfirm(false)} onConfirm={() => del.mutate({ cn: g.cn, domain: g.domain })}>
        The group is marked deleted (inetMailGroupStatus: deleted); mail to {g.mail} is no longer accepted.
      </ConfirmDialog>
    </>
  )
}
