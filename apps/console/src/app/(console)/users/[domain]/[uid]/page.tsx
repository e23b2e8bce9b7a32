'use client'
import { use } from 'react'
import { UserDetailView } from '@/features/users/UserDetailView'
import { segment } from '@/lib/params'

export default function UserPage({ params }: { params: Promise<{ domain: string; uid: string }> }) {
  const { domain, uid } = use(params)
  return <UserDetailView uid={segment(uid)} domain={segment(domain)} />
}
