'use client'
// Configuration history (issue 6 §5): every saved version with author, remark, time and number of
// changes; pick two for a side-by-side diff; roll back to a version (a new version with that
// version's values, kept in the history like any save). Passwords show as ******** in the diff.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import Link from 'next/link'
import { useState } from 'react'
import { Badge } from '@/components/ui/Badge'
import { Banner } from '@/components/ui/Banner'
import { Button } from '@/components/ui/Button'
import { ConfirmDialog } from '@/components/ui/ConfirmDialog'
import { EmptyState } from '@/components/ui/EmptyState'
import { ErrorState } from '@/components/ui/ErrorState'
import { NewerOlderPager } from '@/components/ui/NewerOlderPager'
import { PageHeader } from '@/components/ui/PageHeader'
import { Spinner } from '@/components/ui/Spinner'
import { TextField } from '@/components/ui/TextField'
import { useToast } from '@/components/ui/Toast'
import { cx } from '@/lib/cx'
import { humanMessage } from '@/lib/form-errors'
import { useSession } from '@/lib/session'
import { useTRPC } from '@/lib/trpc'
import { useCursorPager } from '@/lib/use-cursor-pager'
import { shortTime, showValue } from './format'

const PAGE = 25

export function HistoryPage() {
  const trpc = useTRPC()
  const qc = useQueryClient()
  const toast = useToast()
  const { isGlobal } = useSession()
  const pager = useCursorPager('history')
  const [picked, setPicked] = useState<number[]>([])
  const [rollbackTo, setRollbackTo] = useState<number | undefined>()
  const [remark, setRemark] = useState('')
  const [rollbackError, setRollbackError] = useState<string | undefined>()

  const cursor = pager.cursor
  const history = useQuery({
    ...trpc.config.history.queryOptions({ limit: PAGE, ...(cursor !== undefined ? { cursor: cursor as never } : {}) }),
    placeholderData: (prev) => prev,
  })
  const latest = pager.page === 1 ? history.data?.items[0]?.version : undefined
  const [from, to] = [...picked].sort((a, b) => a - b) as [number | undefined, number | undefined]
  const diff = useQuery({
    ...trpc.config.diff.queryOptions({ from: from ?? 0, to: to ?? 0 }),
    enabled: from !== undefined && to !== undefined,
  })

  const rollback = useMutation(
    trpc.config.rollback.mutationOptions({
      onSuccess: (r) => {
        toast.ok(`Rolled back to version ${rollbackTo}: the configuration is now version ${r.version}`)
        setRollbackTo(undefined)
        setPicked([])
        void qc.invalidateQueries({ queryKey: trpc.config.pathKey() })
        void qc.invalidateQueries({ queryKey: trpc.audit.pathKey() })
      },
      onError: (err) => setRollbackError(humanMessage(err)),
    }),
  )

  const toggle = (v: number) =>
    setPicked((p) => (p.includes(v) ? p.filter((x) => x !== v) : [...p.slice(-1), v]))

  return (
    <div>
      <PageHeader
        title="Configuration history"
        description="Every saved configuration version. Tick two versions to compare them side by side."
        actions={
          <Link href="/config" className="inline-flex h-9 items-center rounded-ctl border border-line-strong bg-surface px-4 text-sm font-medium hover:bg-subtle">
            Configuration
          </Link>
        }
      />
      <div className="grid gap-4 2xl:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
        <section aria-label="Versions" className="card flex min-w-0 flex-col">
          {history.error && !history.data ? (
            <ErrorState error={history.error} onRetry={() => void history.refetch()} />
          ) : history.isPending ? (
            <div className="flex justify-center p-10"><Spinner /></div>
          ) : !history.data.items.length ? (
            <EmptyState title="No versions yet">The first save on the Configuration page creates version 1.</EmptyState>
          ) : (
            <div className="overflow-x-auto">
              <table aria-label="Configuration versions" className="w-full border-separate border-spacing-0 text-left text-sm">
                <thead>
                  <tr className="text-xs text-muted">
                    <th scope="col" className="border-b border-line bg-subtle px-3 py-2 font-semibold">Compare</th>
                    <th scope="col" className="border-b border-line bg-subtle px-3 py-2 font-semibold">Version</th>
                    <th scope="col" className="border-b border-line bg-subtle px-3 py-2 font-semibold">Author</th>
                    <th scope="col" className="border-b border-line bg-subtle px-3 py-2 font-semibold">Remark</th>
                    <th scope="col" className="hidden border-b border-line bg-subtle px-3 py-2 font-semibold md:table-cell">Saved</th>
                    <th scope="col" className="border-b border-line bg-subtle px-3 py-2 text-right font-semibold">Changes</th>
                    {isGlobal && <th scope="col" className="border-b border-line bg-subtle px-3 py-2"><span className="sr-only">Actions</span></th>}
                  </tr>
                </thead>
                <tbody>
                  {history.data.items.map((v) => (
                    <tr key={v.version} data-version={v.version} className={cx(picked.includes(v.version) && 'bg-accent-soft/60')}>
                      <td className="border-b border-line px-3 py-2">
                        <input
                          type="checkbox"
                          aria-label={`Compare version ${v.version}`}
                          className="size-4 accent-accent"
                          checked={picked.includes(v.version)}
                          onChange={() => toggle(v.version)}
                        />
                      </td>
                      <td className="border-b border-line px-3 py-2 font-mono tabular-nums">
                        {v.version}
                        {v.version === latest && <span className="ml-2"><Badge tone="ok">current</Badge></span>}
                      </td>
                      <td className="border-b border-line px-3 py-2">{v.author || '—'}</td>
                      <td className="max-w-xs border-b border-line px-3 py-2 break-words">{v.remark || <span className="text-muted">—</span>}</td>
                      <td className="hidden border-b border-line px-3 py-2 whitespace-nowrap text-muted md:table-cell">{shortTime(v.createdAt)}</td>
                      <td className="border-b border-line px-3 py-2 text-right tabular-nums">{v.changes}</td>
                      {isGlobal && (
                        <td className="border-b border-line px-3 py-2 text-right">
                          {v.version !== latest && (
                            <Button size="sm" onClick={() => { setRemark(''); setRollbackError(undefined); setRollbackTo(v.version) }}>
                              Roll back to {v.version}
                            </Button>
                          )}
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <NewerOlderPager pager={pager} nextCursor={history.data?.nextCursor as string | undefined} />
        </section>

        <section aria-label="Difference" className="card min-w-0">
          <header className="border-b border-line px-4 py-3">
            <h2 className="text-base font-semibold">
              {from !== undefined && to !== undefined ? `Version ${from} → version ${to}` : 'Compare two versions'}
            </h2>
          </header>
          {from === undefined || to === undefined ? (
            <EmptyState title="Pick two versions">Tick two versions in the list to see what changed between them.</EmptyState>
          ) : diff.error ? (
            <ErrorState error={diff.error} onRetry={() => void diff.refetch()} />
          ) : diff.isPending ? (
            <div className="flex justify-center p-10"><Spinner /></div>
          ) : !diff.data.length ? (
            <EmptyState title="No differences">Both versions have the same values.</EmptyState>
          ) : (
            <div className="overflow-x-auto">
              <table aria-label={`Differences between version ${from} and ${to}`} className="w-full table-fixed border-separate border-spacing-0 text-left text-xs">
                <thead>
                  <tr className="text-muted">
                    <th scope="col" className="w-1/3 border-b border-line bg-subtle px-3 py-2 font-semibold">Option</th>
                    <th scope="col" className="border-b border-line bg-subtle px-3 py-2 font-semibold">Version {from}</th>
                    <th scope="col" className="border-b border-line bg-subtle px-3 py-2 font-semibold">Version {to}</th>
                  </tr>
                </thead>
                <tbody className="font-mono">
                  {diff.data.map((d) => (
                    <tr key={d.option} data-option={d.option}>
                      <td className="border-b border-line px-3 py-2 break-all">{d.option}</td>
                      <td className="border-b border-line bg-danger-soft/50 px-3 py-2 break-all">{unsetOr(d.before)}</td>
                      <td className="border-b border-line bg-ok-soft/50 px-3 py-2 break-all">{unsetOr(d.after)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>

      <ConfirmDialog
        open={rollbackTo !== undefined}
        title={`Roll back to version ${rollbackTo}?`}
        confirmLabel="Roll back"
        tone="primary"
        busy={rollback.isPending}
        onClose={() => setRollbackTo(undefined)}
        onConfirm={() => {
          if (!remark.trim()) { setRollbackError('Say why (it is kept in the version history).'); return }
          setRollbackError(undefined)
          rollback.mutate({ version: rollbackTo!, remark: remark.trim() })
        }}
      >
        <div className="flex flex-col gap-3 text-fg">
          <p className="text-muted">The configuration gets the values of version {rollbackTo} as a new version; nothing in the history is removed.</p>
          {rollbackError && <Banner tone="danger" title="Not rolled back">{rollbackError}</Banner>}
          <TextField label="Remark" description="Required; kept in the version history." value={remark} onChange={(e) => setRemark(e.target.value)} placeholder="Why roll back" />
        </div>
      </ConfirmDialog>
    </div>
  )
}

function unsetOr(v: unknown) {
  return v === null || v === undefined ? <span className="text-muted italic">(not set)</span> : showValue(v)
}
