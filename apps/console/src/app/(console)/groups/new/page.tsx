'use client'
import Link from 'next/link'
import { PageHeader } from '@/components/ui/PageHeader'
import { GroupForm } from '@/features/groups/GroupForm'

export default function NewGroupPage() {
  return (
    <>
      <PageHeader title="New group" crumbs={<Link href="/groups" className="hover:underline">Groups</Link>} />
      <GroupForm />
    </>
  )
}
