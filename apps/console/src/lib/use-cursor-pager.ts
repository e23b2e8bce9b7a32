'use client'
import { useCallback, useState } from 'react'

/**
 * Cursor pagination state for list procedures that answer `{ items, nextCursor? }`. Keeps the
 * stack of cursors visited so "Previous" works; resets to the first page whenever `resetKey`
 * changes (new search, filter or sort).
 */
export function useCursorPager(resetKey: string) {
  const [state, setState] = useState<{ key: string; stack: Array<string | undefined> }>({ key: resetKey, stack: [undefined] })
  let stack = state.stack
  if (state.key !== resetKey) {
    stack = [undefined]
    setState({ key: resetKey, stack })
  }
  const cursor = stack[stack.length - 1]
  const next = useCallback((nextCursor: string | undefined | null) => {
    if (!nextCursor) return
    setState((s) => ({ ...s, stack: [...s.stack, nextCursor] }))
  }, [])
  const prev = useCallback(() => setState((s) => (s.stack.length > 1 ? { ...s, stack: s.stack.slice(0, -1) } : s)), [])
  const first = useCallback(() => setState((s) => ({ ...s, stack: [undefined] })), [])
  return { cursor, page: stack.length, hasPrev: stack.length > 1, next, prev, first }
}
