'use client'
// Shown when saving an edit answered CONFLICT (the entry changed since it was opened): nothing was
// saved, the user's edits are kept, Reload fetches the current entry. `children` says what reloading does.
import type { ReactNode } from 'react'
import { Banner } from './Banner'
import { Button } from './Button'

export function StaleEditBanner({ onReload, children }: { onReload?: () => void; children: ReactNode }) {
  return (
    <Banner tone="warn" title="Changed by someone else since you opened it — reload" actions={<Button size="sm" onClick={onReload}>Reload</Button>}>
      {children}
    </Banner>
  )
}
