'use client'
// Transient notifications ("User created"). `const toast = useToast(); toast.ok('Saved')`.
// Announced through an aria-live region; errors stay until dismissed, others for 5 s.
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react'
import { cx } from '@/lib/cx'

type Tone = 'ok' | 'error' | 'info'
interface Item {
  id: number
  tone: Tone
  text: string
}
interface ToastApi {
  ok: (text: string) => void
  error: (text: string) => void
  info: (text: string) => void
}

const Ctx = createContext<ToastApi | null>(null)

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<Item[]>([])
  const seq = useRef(0)
  const dismiss = useCallback((id: number) => setItems((xs) => xs.filter((x) => x.id !== id)), [])
  const push = useCallback(
    (tone: Tone, text: string) => {
      const id = ++seq.current
      setItems((xs) => [...xs.slice(-4), { id, tone, text }])
      if (tone !== 'error') setTimeout(() => dismiss(id), 5_000)
    },
    [dismiss],
  )
  const api = useMemo<ToastApi>(
    () => ({ ok: (t) => push('ok', t), error: (t) => push('error', t), info: (t) => push('info', t) }),
    [push],
  )
  return (
    <Ctx.Provider value={api}>
      {children}
      <div aria-live="polite" className="pointer-events-none fixed right-4 bottom-4 z-50 flex w-80 max-w-[calc(100vw-2rem)] flex-col gap-2">
        {items.map((t) => (
          <div
            key={t.id}
            role={t.tone === 'error' ? 'alert' : 'status'}
            className={cx(
              'pointer-events-auto flex items-start justify-between gap-3 rounded-card border bg-surface p-3 text-sm shadow-pop',
              t.tone === 'ok' && 'border-ok/40',
              t.tone === 'error' && 'border-danger/50',
              t.tone === 'info' && 'border-info/40',
            )}
          >
            <span className={cx(t.tone === 'error' && 'text-danger', t.tone === 'ok' && 'text-ok')}>{t.text}</span>
            <button type="button" aria-label="Dismiss" className="text-muted hover:text-fg" onClick={() => dismiss(t.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </Ctx.Provider>
  )
}

export function useToast(): ToastApi {
  const t = useContext(Ctx)
  if (!t) throw new Error('useToast() outside <ToastProvider>')
  return t
}
