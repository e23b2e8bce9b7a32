'use client'
// Services (issue 6 §7; spec 01 §2–3): the watcher's view of every service — state, pid, restarts,
// listeners — kept live by the services.onStatus subscription (Server-Sent Events through the
// console's /trpc rewrite), start / stop / restart for global administrators (stop asks first), and
// the watcher's last events.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useSubscription } from '@trpc/tanstack-react-query'
import { useState } from 'react'
import { Badge, type BadgeTone } from '@/components/ui/Badge'
import { Banner } from '@/components/ui/Banner'
import { Button } from '@/components/ui/Button'
import { ConfirmDialog } from '@/components/ui/ConfirmDialog'
import { EmptyState } from '@/components/ui/EmptyState'
import { ErrorState } from '@/components/ui/ErrorState'
import { PageHeader } from '@/components/ui/PageHeader'
import { Spinner } from '@/components/ui/Spinner'
import { cx } from '@/lib/cx'
import { humanMessage } from '@/lib/form-errors'
import { useSession } from '@/lib/session'
import { useTRPC, type RouterOutputs } from '@/lib/trpc'
import { shortTime } from '../config/format'

type Status = RouterOutputs['services']['status']
type Action = 'start' | 'stop' | 'restart'

function stateTone(state: string): BadgeTone {
  switch (state) {
    case 'running': return 'ok'
    case 'starting': case 'stopping': case 'restarting': return 'warn'
    case 'failed': return 'danger'
    case 'stopped': return 'neutral'
    default: return 'neutral' // disabled, not installed
  }
}

function uptime(seconds: number): string {
  const d = Math.floor(seconds / 86400), h = Math.floor((seconds % 86400) / 3600), m = Math.floor((seconds % 3600) / 60)
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : m ? `${m}m ${seconds % 60}s` : `${seconds}s`
}

export function ServicesPage() {
  const trpc = useTRPC()
  const qc = useQueryClient()
  const { isGlobal } = useSession()
  const status = useQuery({ ...trpc.services.status.queryOptions(), refetchInterval: 30_000 })
  const [live, setLive] = useState<Status | undefined>()
  const sub = useSubscription(trpc.services.onStatus.subscriptionOptions(undefined, { onData: (d) => setLive(d as Status) }))
  const data = live ?? status.data
  const [ask, setAsk] = useState<{ name: string; action: Action } | undefined>()
  const [result, setResult] = useState<{ title: string; lines: string[]; tone: 'ok' | 'danger' } | undefined>()

  const act = useMutation(
    trpc.services.action.mutationOptions({
      onSuccess: (r, v) => {
        setResult({ title: `${v.action} ${v.name}`, lines: r.lines.length ? r.lines : ['done'], tone: 'ok' })
        setAsk(undefined)
        void qc.invalidateQueries({ queryKey: trpc.services.pathKey() })
        void qc.invalidateQueries({ queryKey: trpc.audit.pathKey() })
      },
      onError: (err, v) => {
        setResult({ title: `Could not ${v.action} ${v.name}`, lines: [humanMessage(err)], tone: 'danger' })
        setAsk(undefined)
      },
    }),
  )
  const run = (name: string, action: Action) => {
    if (action === 'stop') setAsk({ name, action })
    else act.mutate({ name, action })
  }

  const liveLabel = sub.status === 'pending' ? 'Live' : sub.status === 'connecting' ? 'Connecting…' : sub.status === 'error' ? 'Live updates interrupted' : 'Not live'
  return (
    <div>
      <PageHeader
        title="Services"
        description={data ? `Watcher pid ${data.daemon.pid} on ${data.daemon.hostname}, up ${uptime(data.daemon.uptime)} (since ${shortTime(data.daemon.startedAt)}).` : 'The watcher and the services it runs.'}
        actions={
          <span className="inline-flex items-center gap-2 text-xs text-muted" aria-live="polite">
            <span aria-hidden="true" className={cx('size-2 rounded-full', sub.status === 'pending' ? 'bg-ok' : sub.status === 'error' ? 'bg-danger' : 'bg-warn')} />
            {liveLabel}
          </span>
        }
      />
      {result && (
        <div className="mb-4">
          <Banner tone={result.tone} title={result.title} actions={<Button size="sm" variant="ghost" onClick={() => setResult(undefined)}>Dismiss</Button>}>
            <pre className="font-mono text-xs whitespace-pre-wrap">{result.lines.join('\n')}</pre>
          </Banner>
        </div>
      )}
      <div className="grid gap-4 xl:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
        <section aria-label="Services" className="card min-w-0">
          {status.error && !data ? (
            <ErrorState error={status.error} onRetry={() => void status.refetch()} />
          ) : !data ? (
            <div className="flex justify-center p-10"><Spinner /></div>
          ) : !data.services.length ? (
            <EmptyState title="No services" />
          ) : (
            <div className="overflow-x-auto">
              <table aria-label="Services" className="w-full border-separate border-spacing-0 text-left text-sm">
                <thead>
                  <tr className="text-xs text-muted">
                    <th scope="col" className="border-b border-line bg-subtle px-3 py-2 font-semibold">Service</th>
                    <th scope="col" className="border-b border-line bg-subtle px-3 py-2 font-semibold">State</th>
                    <th scope="col" className="border-b border-line bg-subtle px-3 py-2 text-right font-semibold">Pid</th>
                    <th scope="col" className="border-b border-line bg-subtle px-3 py-2 text-right font-semibold">Restarts</th>
                    <th scope="col" className="hidden border-b border-line bg-subtle px-3 py-2 font-semibold md:table-cell">Listeners</th>
                    {isGlobal && <th scope="col" className="border-b border-line bg-subtle px-3 py-2"><span className="sr-only">Actions</span></th>}
                  </tr>
                </thead>
                <tbody>
                  {data.services.map((s) => {
                    const running = s.state === 'running' || s.state === 'starting'
                    const inactive = s.state === 'disabled' || s.state === 'not installed'
                    // the admin service is the watcher's own control API (and this console's API)
                    const inWatcher = s.name === 'admin'
                    const busy = act.isPending && act.variables?.name === s.name
                    return (
                      <tr key={s.name} data-service={s.name} className="align-top">
                        <td className="border-b border-line px-3 py-2 font-medium">{s.name}</td>
                        <td className="border-b border-line px-3 py-2">
                          <Badge tone={stateTone(s.state)} className="whitespace-nowrap">{s.state}</Badge>
                          {s.error && <p className="mt-1 max-w-xs text-xs break-words text-danger">{s.error}</p>}
                        </td>
                        <td className="border-b border-line px-3 py-2 text-right font-mono text-xs tabular-nums">{s.pid ?? '—'}</td>
                        <td className="border-b border-line px-3 py-2 text-right tabular-nums">{s.restarts ?? 0}</td>
                        <td className="hidden border-b border-line px-3 py-2 font-mono text-xs md:table-cell">
                          {s.listeners?.length ? s.listeners.map((l) => <div key={`${l.name}${l.port}`}>{l.name} {l.host}:{l.port}{l.tls !== 'none' ? ` (${l.tls})` : ''}</div>) : <span className="text-muted">—</span>}
                        </td>
                        {isGlobal && (
                          <td className="border-b border-line px-3 py-2">
                            <div className="flex justify-end gap-1.5">
                              {inWatcher && <span className="text-xs text-muted">runs in the watcher</span>}
                              {!inWatcher && !inactive && !running && <Button size="sm" loading={busy && act.variables?.action === 'start'} disabled={act.isPending} onClick={() => run(s.name, 'start')} aria-label={`Start ${s.name}`}>Start</Button>}
                              {!inWatcher && running && <Button size="sm" loading={busy && act.variables?.action === 'restart'} disabled={act.isPending} onClick={() => run(s.name, 'restart')} aria-label={`Restart ${s.name}`}>Restart</Button>}
                              {!inWatcher && running && <Button size="sm" variant="danger" disabled={act.isPending} onClick={() => run(s.name, 'stop')} aria-label={`Stop ${s.name}`}>Stop</Button>}
                            </div>
                          </td>
                        )}
                      </tr>
                    )
                  })}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section aria-label="Watcher events" className="card min-w-0">
          <header className="border-b border-line px-4 py-3">
            <h2 className="text-base font-semibold">Watcher events</h2>
          </header>
          {!data ? (
            <div className="flex justify-center p-10"><Spinner /></div>
          ) : !data.events.length ? (
            <EmptyState title="No events yet" />
          ) : (
            <ol className="max-h-[32rem] divide-y divide-line overflow-y-auto">
              {[...data.events].reverse().map((e, i) => (
                <li key={`${e.at}${i}`} className="px-4 py-2">
                  <time dateTime={e.at} className="block text-xs text-muted">{shortTime(e.at)}</time>
                  <span className={cx('font-mono text-xs break-words', /abnormally|failed|not restarting/.test(e.text) && 'text-danger')}>{e.text}</span>
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
      <ConfirmDialog
        open={!!ask}
        title={`Stop ${ask?.name}?`}
        confirmLabel={`Stop ${ask?.name ?? ''}`}
        busy={act.isPending}
        onClose={() => setAsk(undefined)}
        onConfirm={() => ask && act.mutate(ask)}
      >
        {ask?.name === 'console'
          ? 'This console runs in that service: stopping it ends this page. Start it again with start-msg console.'
          : `Clients of ${ask?.name} are disconnected and the watcher does not restart it until someone starts it again.`}
      </ConfirmDialog>
    </div>
  )
}
