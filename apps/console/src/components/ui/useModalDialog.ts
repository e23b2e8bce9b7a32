'use client'
// The behaviour shared by the console's modal <dialog>s (ConfirmDialog, Drawer): opened with
// showModal() so the page behind is inert and focus stays inside, Esc (the `cancel` event) calls
// onClose unless busy, and focus returns to the element that opened the dialog when it closes.
import { useEffect, useRef } from 'react'

export function useModalDialog({
  open,
  busy,
  onClose,
  onOpen,
}: {
  open: boolean
  busy?: boolean
  onClose: () => void
  /** Runs right after the dialog opened (e.g. to focus a control). */
  onOpen?: () => void
}) {
  const ref = useRef<HTMLDialogElement>(null)
  const opener = useRef<Element | null>(null)
  const onOpenRef = useRef(onOpen)
  onOpenRef.current = onOpen

  useEffect(() => {
    const d = ref.current
    if (!d) return
    if (open && !d.open) {
      opener.current = document.activeElement
      d.showModal()
      onOpenRef.current?.()
    } else if (!open && d.open) {
      d.close()
    }
  }, [open])

  useEffect(() => {
    const d = ref.current
    if (!d) return
    const onCancel = (e: Event) => {
      e.preventDefault()
      if (!busy) onClose()
    }
    const onClosed = () => {
      const el = opener.current as HTMLElement | null
      if (el && typeof el.focus === 'function') el.focus()
    }
    d.addEventListener('cancel', onCancel)
    d.addEventListener('close', onClosed)
    return () => {
      d.removeEventListener('cancel', onCancel)
      d.removeEventListener('close', onClosed)
    }
  }, [busy, onClose])

  return ref
}
