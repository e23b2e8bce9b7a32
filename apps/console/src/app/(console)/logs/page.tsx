'use client'
import { Suspense } from 'react'
import { LogsPage } from '@/features/logs/LogsPage'

export default function Page() {
  return (
    <Suspense>
      <LogsPage />
    </Suspense>
  )
}
