import type { Metadata } from 'next'
import { ConfigPage } from '@/features/config/ConfigPage'

export const metadata: Metadata = { title: 'Configuration' }

export default function Page() {
  return <ConfigPage />
}
