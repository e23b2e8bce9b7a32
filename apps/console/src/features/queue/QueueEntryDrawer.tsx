'use client'
// One queue entry: envelope (sender, recipients with their per-recipient state, ORCPT/NOTIFY),
// attempts, next attempt, last error, size and the message's main headers (never its body:
// docs/decisions.md D23), with the actions the caller may take and a link to its mail.log records.
import { useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import type { ReactNode } from 'react'
import { Badge } from '@/components/ui/Badge'
import { Button } from '@/components/ui/Button'
import { ErrorState } from '@/components/ui/ErrorState'
import { Spinner } from '@/components/ui/Spinner'
import { Drawer } from '@/features/config/Drawer'
import { shortTime } from '@/features/config/format'
import { useTRPC } from '@/lib/trpc'
import { formatBytes } from '@/lib/units'
import { age } from './filters'
import type { QueueAction } from './QueuePage'

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[8rem_1fr] gap-2 py-1.5 text-sm">
      <dt className="text-muted">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </div>
  )
}

export function QueueEntryDrawer({ entryKey, canWrite, onClose, onAction }: { entryKey: string | null; canWrite: boolean; onClose: () => void; onAction: (action: QueueAction, keys: string[]) => void }) {
  const trpc = useTRPC()
  const q = useQuery({ ...trpc.queue.get.queryOptions({ key: entryKey ?? '' }), enabled: Boolean(entryKey), retry: false })
  const e = q.data
  return (
    <Drawer
      open={Boolean(entryKey)}
      title={<span className="font-mono text-base">{e?.file ?? entryKey}</span>}
      description={e ? `${e.channel} channel · queued ${age(e.created)} ago` : undefined}
      onClose={onClose}
      footer={
        e && canWrite ? (
          <>
            {e.held ? <Button onClick={() => onAction('release', [e.key])}>Release</Button> : <Button onClick={() => onAction('hold', [e.key])}>Hold</Button>}
            {!e.held && <Button onClick={() => onAction('retry', [e.key])}>Retry now</Button>}
            <Button variant="danger" onClick={() => onAction('return', [e.key])}>Return</Button>
            <Button variant="danger" onClick={() => onAction('delete', [e.key])}>Delete</Button>
          </>
        ) : undefined
      }
    >
      {q.error ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} title="This entry cannot be shown" />
      ) : !e ? (
        <div className="flex justify-center p-10"><Spinner /></div>
      ) : (
        <div className="flex flex-col gap-5" data-testid="queue-entry">
          <dl>
            <Row label="State">
              {e.held ? <Badge tone="warn">held</Badge> : e.active ? <Badge tone="info">being delivered</Badge> : e.attempts ? <Badge tone="warn">delayed</Badge> : <Badge tone="ok">waiting</Badge>}
            </Row>
            <Row label="From">{e.sender ? <span className="font-mono text-xs">{e.sender}</span> : <span className="text-muted">&lt;&gt; (notification)</span>}</Row>
            <Row label="Queued">{shortTime(e.created)}</Row>
            <Row label="Attempts">{e.attempts}</Row>
            <Row label="Next attempt">{e.nextAttempt ? shortTime(e.nextAttempt) : e.held ? 'not while held' : 'as soon as a job is free'}</Row>
            {e.lastError && <Row label="Last error"><span className="font-mono text-xs text-danger">{e.lastError}</span></Row>}
            <Row label="Size">{formatBytes(e.size)}</Row>
            <Row label="Source channel">{e.sourceChannel || '—'}</Row>
            {e.authenticatedAs && <Row label="Submitted by">{e.authenticatedAs}</Row>}
            {e.peer && <Row label="From host"><span className="text-xs">{e.peer}</span></Row>}
            {e.envid && <Row label="ENVID">{e.envid}</Row>}
            {e.ret && <Row label="RET">{e.ret}</Row>}
          </dl>
          <section>
            <h3 className="mb-1 text-sm font-semibold">Recipients ({e.recipientDetails.length})</h3>
            <table aria-label="Recipients" className="w-full text-left text-xs">
              <thead className="text-muted">
                <tr>
                  <th scope="col" className="py-1 pr-2 font-semibold">Address</th>
                  <th scope="col" className="py-1 pr-2 font-semibold">ORCPT / NOTIFY</th>
                  <th scope="col" className="py-1 font-semibold">State</th>
                </tr>
              </thead>
              <tbody>
                {e.recipientDetails.map((r, i) => (
                  <tr key={i} className="border-t border-line align-top">
                    <td className="py-1 pr-2 font-mono break-all">
                      {r.address}
                      {r.originalAddress && r.originalAddress !== r.address && <div className="text-muted">was {r.originalAddress}</div>}
                    </td>
                    <td className="py-1 pr-2 break-all text-muted">{[r.orcpt, r.notify?.join(',')].filter(Boolean).join(' · ') || '—'}</td>
                    <td className="py-1">{r.done ? <Badge tone="ok">done</Badge> : <Badge>pending</Badge>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section>
            <h3 className="mb-1 text-sm font-semibold">Headers</h3>
            {e.headers.length ? (
              <dl className="rounded-ctl bg-subtle p-3 font-mono text-xs">
                {e.headers.map((h, i) => (
                  <div key={i} className="break-all"><dt className="inline font-semibold">{h.name}:</dt> <dd className="inline">{h.value}</dd></div>
                ))}
              </dl>
            ) : (
              <p className="text-xs text-muted">No headers could be read (the entry may have just been delivered).</p>
            )}
            <p className="mt-1 text-xs text-muted">The message body is not shown in the console.</p>
          </section>
          <Link
            className="text-sm text-accent hover:underline"
            href={`/logs?${new URLSearchParams(e.messageId ? { messageId: e.messageId } : { address: e.sender || e.recipients[0] || '' }).toString()}`}
          >
            Show its mail.log records
          </Link>
        </div>
      )}
    </Drawer>
  )
}
