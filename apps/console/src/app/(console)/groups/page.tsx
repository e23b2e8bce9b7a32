'use client'
import { Suspense } from 'react'
import { GroupsList } from '@/features/groups/GroupsList'

export default function GroupsPage() {
  return (
    <Suspense>
      <GroupsList />
    </Suspense>
  )
}
