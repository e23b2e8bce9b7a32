import type { Metadata } from 'next'
import type { ReactNode } from 'react'
import '@fontsource-variable/inter'
import './globals.css'
import { Providers } from './providers'

export const metadata: Metadata = {
  title: { default: 'Wren console', template: '%s · Wren console' },
  description: 'Administration console of the Wren messaging server',
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">
        <Providers>{children}</Providers>
      </body>
    </html>
  )
}
