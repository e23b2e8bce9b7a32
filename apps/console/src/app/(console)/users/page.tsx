'use client'
import { Suspense } from 'react'
import { UsersList } from '@/features/users/UsersList'

export default function UsersPage() {
  return (
    <Suspense>
      <UsersList />
    </Suspense>
  )
}
