'use client'
import { use } from 'react'
import { DomainDetailView } from '@/features/domains/DomainDetailView'
import { segment } from '@/lib/params'

export default function DomainPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = use(params)
  return <DomainDetailView name={segment(name)} />
}
