'use client'
import { DomainsList } from '@/features/domains/DomainsList'

export default function DomainsPage() {
  return <DomainsList />
}
