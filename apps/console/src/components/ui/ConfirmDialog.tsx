'use client'
// A modal confirmation for destructive actions. Built on the native <dialog> opened with
// showModal(): the rest of the page becomes inert (focus stays inside), Esc closes it (the
// `cancel` event), and focus returns to the element that opened it.
import { useId, useRef, useState, type ReactNode } from 'react'
import { Button } from './Button'
import { useModalDialog } from './useModalDialog'

export interface ConfirmDialogProps {
  open: boolean
  title: string
  children?: ReactNode
  confirmLabel?: string
  cancelLabel?: string
  /** danger (default) for destructive actions. */
  tone?: 'danger' | 'primary'
  /** Require typing this text before confirming (e.g. the domain name). */
  confirmText?: string
  busy?: boolean
  onConfirm: () => void
  onClose: () => void
}

export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel = 'Delete',
  cancelLabel = 'Cancel',
  tone = 'danger',
  confirmText,
  busy,
  onConfirm,
  onClose,
}: ConfirmDialogProps) {
  const cancelRef = useRef<HTMLButtonElement>(null)
  const [typed, setTyped] = useState('')
  const id = useId()
  const ref = useModalDialog({
    open,
    busy,
    onClose,
    onOpen: () => {
      setTyped('')
      // Destructive dialogs focus the safe choice first.
      if (!confirmText) cancelRef.current?.focus()
    },
  })

  const blocked = confirmText !== undefined && typed !== confirmText
  return (
    <dialog
      ref={ref}
      aria-labelledby={`${id}-t`}
      aria-describedby={children ? `${id}-d` : undefined}
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-card border border-line bg-surface p-0 text-fg shadow-pop backdrop:bg-black/40"
    >
      <form
        method="dialog"
        className="flex flex-col gap-4 p-5"
        onSubmit={(e) => {
          e.preventDefault()
          if (!blocked && !busy) onConfirm()
        }}
      >
        <h2 id={`${id}-t`} className="text-lg font-semibold">
          {title}
        </h2>
        {children && (
          <div id={`${id}-d`} className="text-sm text-muted">
            {children}
          </div>
        )}
        {confirmText !== undefined && (
          <label className="flex flex-col gap-1 text-xs font-medium">
            Type <code className="font-mono">{confirmText}</code> to confirm
            <input
              autoFocus
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              className="h-9 rounded-ctl border border-line-strong px-3 text-sm"
            />
          </label>
        )}
        <div className="flex justify-end gap-2">
          <Button ref={cancelRef} onClick={onClose} disabled={busy}>
            {cancelLabel}
          </Button>
          <Button type="submit" variant={tone} loading={busy} disabled={blocked}>
            {confirmLabel}
          </Button>
        </div>
      </form>
    </dialog>
  )
}
