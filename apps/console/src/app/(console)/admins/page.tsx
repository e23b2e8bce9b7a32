import type { Metadata } from 'next'
import { AdminsPage } from '@/features/admins/AdminsPage'

export const metadata: Metadata = { title: 'Administrators' }

export default function Page() {
  return <AdminsPage />
}
