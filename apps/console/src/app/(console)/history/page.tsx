import type { Metadata } from 'next'
import { HistoryPage } from '@/features/config/HistoryPage'

export const metadata: Metadata = { title: 'Configuration history' }

export default function Page() {
  return <HistoryPage />
}
