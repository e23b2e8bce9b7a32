'use client'
// A side panel for editing one thing (an option, an administrator). A modal <dialog> opened with
// showModal(): the page behind is inert, Esc closes it, focus returns to the opener. On narrow
// windows it takes the full width.
import { useId, type ReactNode } from 'react'
import { useModalDialog } from '@/components/ui/useModalDialog'

export function Drawer({
  open,
  title,
  description,
  children,
  footer,
  onClose,
  busy,
}: {
  open: boolean
  title: ReactNode
  description?: ReactNode
  children: ReactNode
  footer?: ReactNode
  onClose: () => void
  busy?: boolean
}) {
  const ref = useModalDialog({ open, busy, onClose })
  const id = useId()

  return (
    <dialog
      ref={ref}
      aria-labelledby={`${id}-t`}
      className="m-0 ml-auto h-dvh max-h-dvh w-full max-w-[32rem] border-l border-line bg-surface p-0 text-fg shadow-pop backdrop:bg-black/30"
    >
      {open && (
        <div className="flex h-full flex-col">
          <header className="flex items-start justify-between gap-3 border-b border-line px-5 py-4">
            <div className="min-w-0">
              <h2 id={`${id}-t`} className="text-lg font-semibold break-words">
                {title}
              </h2>
              {description && <p className="mt-0.5 text-sm text-muted">{description}</p>}
            </div>
            <button type="button" aria-label="Close" className="rounded-ctl px-2 text-lg text-muted hover:bg-subtle hover:text-fg" onClick={() => !busy && onClose()}>
              ×
            </button>
          </header>
          <div className="flex-1 overflow-y-auto px-5 py-4">{children}</div>
          {footer && <footer className="flex justify-end gap-2 border-t border-line px-5 py-3">{footer}</footer>}
        </div>
      )}
    </dialog>
  )
}
