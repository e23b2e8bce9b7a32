'use client'
import Link from 'next/link'
import { PageHeader } from '@/components/ui/PageHeader'
import { DomainForm } from '@/features/domains/DomainForm'

export default function NewDomainPage() {
  return (
    <>
      <PageHeader title="New domain" crumbs={<Link href="/domains" className="hover:underline">Domains</Link>} />
      <DomainForm />
    </>
  )
}
