import type { Metadata } from 'next'
import { QueuePage } from '@/features/queue/QueuePage'

export const metadata: Metadata = { title: 'Queue' }

export default function Page() {
  return <QueuePage />
}
