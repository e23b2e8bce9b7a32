'use client'
// Per-channel totals (`imsimta qm summarize -held`): waiting, held, delayed and being delivered,
// size and the oldest entry. A row filters the table below by its channel.
import { formatBytes } from '@/lib/units'
import { cx } from '@/lib/cx'
import type { RouterOutputs } from '@/lib/trpc'
import { age } from './filters'

type Channel = RouterOutputs['queue']['summary']['channels'][number]

export function QueueSummary({ channels, selected, onSelect }: { channels: Channel[]; selected: string; onSelect: (channel: string) => void }) {
  const total = channels.reduce((a, c) => ({ messages: a.messages + c.messages, held: a.held + c.held, bytes: a.bytes + c.bytes + c.heldBytes }), { messages: 0, held: 0, bytes: 0 })
  return (
    <section aria-label="Channels" className="mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
      <div className="card p-4">
        <p className="text-xs font-medium text-muted">All channels</p>
        <p className="mt-1 text-2xl font-semibold tabular-nums" data-testid="queue-total">{total.messages.toLocaleString('en')}</p>
        <p className="text-xs text-muted">
          waiting · {total.held.toLocaleString('en')} held · {formatBytes(total.bytes)}
        </p>
      </div>
      {channels.map((c) => (
        <button
          key={c.channel}
          type="button"
          aria-pressed={selected === c.channel}
          data-channel={c.channel}
          onClick={() => onSelect(selected === c.channel ? '' : c.channel)}
          className={cx('card p-4 text-left hover:border-accent focus-visible:outline-2', selected === c.channel && 'border-accent ring-1 ring-accent')}
        >
          <p className="flex items-center gap-2 text-xs font-medium text-muted">
            <span className="font-mono text-fg">{c.channel}</span>
            {c.stopped && <span className="rounded bg-warn-soft px-1.5 text-[10px] font-semibold text-warn">stopped</span>}
          </p>
          <p className="mt-1 text-2xl font-semibold tabular-nums">{c.messages.toLocaleString('en')}</p>
          <p className="text-xs text-muted">
            {c.held ? `${c.held.toLocaleString('en')} held · ` : ''}
            {c.delayed ? `${c.delayed.toLocaleString('en')} delayed · ` : ''}
            {c.active ? `${c.active.toLocaleString('en')} in delivery · ` : ''}
            {formatBytes(c.bytes + c.heldBytes)}
            {c.oldest || c.oldestHeld ? ` · oldest ${age([c.oldest, c.oldestHeld].filter(Boolean).sort()[0]!)}` : ''}
          </p>
        </button>
      ))}
    </section>
  )
}
