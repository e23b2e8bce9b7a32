'use client'
import { use } from 'react'
import { GroupDetailView } from '@/features/groups/GroupDetailView'
import { segment } from '@/lib/params'

export default function GroupPage({ params }: { params: Promise<{ domain: string; cn: string }> }) {
  const { domain, cn } = use(params)
  return <GroupDetailView cn={segment(cn)} domain={segment(domain)} />
}
