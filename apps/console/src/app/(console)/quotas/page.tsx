'use client'
import { Suspense } from 'react'
import { QuotasView } from '@/features/quotas/QuotasView'

export default function QuotasPage() {
  return (
    <Suspense>
      <QuotasView />
    </Suspense>
  )
}
