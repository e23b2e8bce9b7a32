'use client'
// The group editor's member picker: search-as-you-type over users (users.list, the server's trigram
// index) and groups (groups.list), picked members shown as removable chips. Keyboard: ↓/↑ move in
// the suggestions, Enter adds the highlighted one (or the typed address when it is one), Escape
// closes the list, Backspace in an empty box removes the last chip. WAI-ARIA combobox pattern
// (APG "Combobox With Listbox Popup"). The paste-a-list text area stays beside it (GroupForm).
import { useQuery } from '@tanstack/react-query'
import { useId, useMemo, useRef, useState, type KeyboardEvent } from 'react'
import { cx } from '@/lib/cx'
import { useTRPC } from '@/lib/trpc'
import { useDebounced } from '@/lib/use-debounced'

interface Option {
  address: string
  label: string
  kind: 'user' | 'group' | 'address'
}

const ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export function MemberPicker({ members, onChange, disabled }: { members: string[]; onChange: (next: string[]) => void; disabled?: boolean }) {
  const trpc = useTRPC()
  const id = useId()
  const input = useRef<HTMLInputElement>(null)
  const [text, setText] = useState('')
  const [open, setOpen] = useState(false)
  const [active, setActive] = useState(0)
  const q = useDebounced(text.trim(), 120)
  const have = useMemo(() => new Set(members.map((m) => m.toLowerCase())), [members])
  // no placeholder data: suggestions of an older text must never be what Enter picks
  const users = useQuery({ ...trpc.users.list.queryOptions({ search: q, limit: 8 }), enabled: q.length > 0 && !disabled, staleTime: 30_000 })
  const groups = useQuery({ ...trpc.groups.list.queryOptions({ search: q, limit: 5 }), enabled: q.length > 0 && !disabled, staleTime: 30_000 })
  const settled = q === text.trim() && !users.isPending && !groups.isPending

  const options = useMemo<Option[]>(() => {
    if (!q || !settled) return []
    const out: Option[] = []
    for (const u of users.data?.items ?? []) {
      const address = u.mail || `${u.uid}@${u.domain}`
      out.push({ address, label: u.cn ? `${u.cn} <${address}>` : address, kind: 'user' })
    }
    for (const g of groups.data?.items ?? []) {
      const address = g.mail || `${g.cn}@${g.domain}`
      out.push({ address, label: `${g.cn} <${address}> (group)`, kind: 'group' })
    }
    const typed = text.trim()
    if (ADDRESS.test(typed) && !out.some((o) => o.address.toLowerCase() === typed.toLowerCase())) out.push({ address: typed, label: `Add ${typed}`, kind: 'address' })
    return out.filter((o) => !have.has(o.address.toLowerCase()))
  }, [q, text, settled, users.data, groups.data, have])

  const shown = open && text.trim().length > 0
  const listId = `${id}-list`
  const optId = (i: number) => `${id}-opt-${i}`
  const current = Math.min(active, Math.max(0, options.length - 1))

  const add = (address: string) => {
    if (!have.has(address.toLowerCase())) onChange([...members, address])
    setText('')
    setActive(0)
    setOpen(false)
    input.current?.focus()
  }
  const remove = (index: number) => {
    onChange(members.filter((_, i) => i !== index))
    input.current?.focus()
  }

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault()
      setOpen(true)
      setActive((a) => (options.length ? (Math.min(a, options.length - 1) + 1) % options.length : 0))
    } else if (e.key === 'ArrowUp') {
      e.preventDefault()
      setOpen(true)
      setActive((a) => (options.length ? (Math.min(a, options.length - 1) - 1 + options.length) % options.length : 0))
    } else if (e.key === 'Enter') {
      // never submits the form from here: Enter picks
      e.preventDefault()
      const o = shown ? options[current] : undefined
      if (o) add(o.address)
      else if (ADDRESS.test(text.trim())) add(text.trim())
    } else if (e.key === 'Escape') {
      if (shown) {
        e.preventDefault()
        setOpen(false)
      }
    } else if (e.key === 'Backspace' && text === '' && members.length > 0) {
      onChange(members.slice(0, -1))
    }
  }

  return (
    <div className="flex flex-col gap-2 sm:col-span-2">
      <label htmlFor={`${id}-input`} className="text-xs font-medium text-fg">Add a user or group</label>
      {members.length > 0 && (
        <ul aria-label="Current list" className="flex flex-wrap gap-1.5">
          {members.map((m, i) => (
            <li key={`${i}:${m}`} className="inline-flex items-center gap-1 rounded-full border border-line-strong bg-subtle py-0.5 pr-1 pl-2.5 text-xs">
              <span>{m}</span>
              {!disabled && (
                <button type="button" onClick={() => remove(i)} aria-label={`Remove ${m}`} className="grid size-5 place-items-center rounded-full text-muted hover:bg-surface hover:text-fg">
                  <span aria-hidden="true">×</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <div className="relative">
        <input
          ref={input}
          id={`${id}-input`}
          type="text"
          role="combobox"
          aria-expanded={shown}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={shown && options.length ? optId(current) : undefined}
          aria-describedby={`${id}-desc`}
          autoComplete="off"
          spellCheck={false}
          disabled={disabled}
          value={text}
          placeholder="Search users and groups, or type an address"
          onChange={(e) => {
            setText(e.target.value)
            setOpen(true)
            setActive(0)
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => setOpen(false)}
          onKeyDown={onKey}
          className="h-9 w-full rounded-ctl border border-line-strong bg-surface px-3 text-sm placeholder:text-muted/70"
        />
        {shown && (
          <ul id={listId} role="listbox" aria-label="Suggestions" className="absolute z-20 mt-1 max-h-72 w-full overflow-auto rounded-ctl border border-line-strong bg-surface py-1 text-sm shadow-lg">
            {options.length === 0 ? (
              <li className="px-3 py-2 text-muted" role="presentation">
                {settled ? 'No matching users or groups' : 'Searching…'}
              </li>
            ) : (
              options.map((o, i) => (
                <li
                  key={`${o.kind}:${o.address}`}
                  id={optId(i)}
                  role="option"
                  aria-selected={i === current}
                  // mousedown, not click: the input's blur would close the list first
                  onMouseDown={(e) => {
                    e.preventDefault()
                    add(o.address)
                  }}
                  onMouseEnter={() => setActive(i)}
                  className={cx('cursor-pointer px-3 py-1.5', i === current && 'bg-subtle')}
                >
                  {o.label}
                </li>
              ))
            )}
          </ul>
        )}
      </div>
      <p id={`${id}-desc`} className="text-xs text-muted">↓ ↑ to choose, Enter to add, Backspace in the empty box removes the last member.</p>
    </div>
  )
}
