'use client'
import { useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { useState } from 'react'
import { StatusBadge } from '@/components/ui/Badge'
import { ErrorState } from '@/components/ui/ErrorState'
import { PageHeader } from '@/components/ui/PageHeader'
import { Spinner } from '@/components/ui/Spinner'
import { useSession } from '@/lib/session'
import { useTRPC } from '@/lib/trpc'
import { UserActions } from './UserActions'
import { UserEditor } from './UserEditor'

export function UserDetailView({ uid, domain }: { uid: string; domain: string }) {
  const trpc = useTRPC()
  const { canWriteDomain } = useSession()
  const [tab, setTab] = useState('general')
  const q = useQuery({ ...trpc.users.get.queryOptions({ uid, domain }), staleTime: 0 })
  const crumbs = (
    <>
      <Link href="/users" className="hover:underline">
        Users
      </Link>{' '}
      /{' '}
      <Link href={`/users?domain=${encodeURIComponent(domain)}`} className="hover:underline">
        {domain}
      </Link>
    </>
  )
  if (q.isPending) {
    return (
      <>
        <PageHeader title={`${uid}@${domain}`} crumbs={crumbs} />
        <Spinner size={20} />
      </>
    )
  }
  if (q.error) {
    return (
      <>
        <PageHeader title={`${uid}@${domain}`} crumbs={crumbs} />
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      </>
    )
  }
  const u = q.data
  const deleted = u.status === 'deleted' || u.status === 'removed'
  return (
    <>
      <PageHeader
        crumbs={crumbs}
        title={
          <span className="flex items-center gap-3">
            {u.cn || u.uid}
            <StatusBadge status={u.status} />
          </span>
        }
        description={`${u.uid} · ${u.mail}`}
        actions={<UserActions uid={u.uid} domain={u.domain} status={u.status} />}
      />
      <UserEditor
        key={u.version}
        user={u}
        readOnly={!canWriteDomain(u.domain) || deleted}
        tab={tab}
        onTab={setTab}
        onReload={() => void q.refetch()}
      />
    </>
  )
}
