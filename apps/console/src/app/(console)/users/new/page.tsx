'use client'
import { Suspense } from 'react'
import { UserCreateForm } from '@/features/users/UserCreateForm'

export default function NewUserPage() {
  return (
    <Suspense>
      <UserCreateForm />
    </Suspense>
  )
}
