'use client'
import { UserImport } from '@/features/users/UserImport'

export default function ImportUsersPage() {
  return <UserImport />
}
