'use client'
// Configuration (issue 6 §5; spec 01 §1): the option tree by group on the left, the options of the
// group (or of a search over all of them) on the right with current value, default, description
// and restart / restricted badges. Global administrators edit an option in a drawer; each save is a
// configuration version (see the History page).
import { useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { useMemo, useState } from 'react'
import { Badge } from '@/components/ui/Badge'
import { Banner } from '@/components/ui/Banner'
import { Button } from '@/components/ui/Button'
import { EmptyState } from '@/components/ui/EmptyState'
import { ErrorState } from '@/components/ui/ErrorState'
import { PageHeader } from '@/components/ui/PageHeader'
import { Spinner } from '@/components/ui/Spinner'
import { TextField } from '@/components/ui/TextField'
import { cx } from '@/lib/cx'
import { useSession } from '@/lib/session'
import { useTRPC, type RouterOutputs } from '@/lib/trpc'
import { useDebounced } from '@/lib/use-debounced'
import { EditOptionDrawer, type EditableOption, type SaveResult } from './EditOptionDrawer'
import { showValue } from './format'

type OptionRow = RouterOutputs['config']['options'][number]

export function ConfigPage() {
  const trpc = useTRPC()
  const { isGlobal } = useSession()
  const [group, setGroup] = useState<string | undefined>()
  const [search, setSearch] = useState('')
  const q = useDebounced(search.trim(), 250)
  const [editing, setEditing] = useState<{ option: EditableOption | null } | undefined>()
  const [saved, setSaved] = useState<SaveResult | undefined>()

  const groups = useQuery(trpc.config.groups.queryOptions())
  // A search looks through every group; otherwise the selected group (the first one to begin with).
  const activeGroup = q ? undefined : (group ?? groups.data?.[0]?.group)
  const options = useQuery({
    ...trpc.config.options.queryOptions({ ...(activeGroup ? { group: activeGroup } : {}), ...(q ? { search: q } : {}) }),
    enabled: !!q || !!activeGroup,
    placeholderData: (prev) => prev,
  })
  const total = useMemo(() => groups.data?.reduce((n, g) => n + g.count, 0) ?? 0, [groups.data])

  return (
    <div>
      <PageHeader
        title="Configuration"
        description={`Every option of the unified configuration${total ? ` (${total.toLocaleString('en')})` : ''}, by group. Each save is a version you can compare and roll back.`}
        actions={
          <>
            <Link href="/history" className="inline-flex h-9 items-center rounded-ctl border border-line-strong bg-surface px-4 text-sm font-medium hover:bg-subtle">
              History
            </Link>
            {isGlobal && (
              <Button variant="primary" onClick={() => setEditing({ option: null })}>
                Set an option
              </Button>
            )}
          </>
        }
      />
      {saved && (
        <div className="mb-4">
          <Banner
            tone={saved.restartNeeded.length ? 'warn' : 'ok'}
            title={`Saved ${saved.option} as configuration version ${saved.version}`}
            actions={<Button size="sm" variant="ghost" onClick={() => setSaved(undefined)}>Dismiss</Button>}
          >
            {saved.restartNeeded.length ? `Restart needed for: ${saved.restartNeeded.join(', ')}` : 'The change applies without a restart.'}
          </Banner>
        </div>
      )}
      <div className="grid gap-4 lg:grid-cols-[14rem_1fr]">
        <nav aria-label="Option groups" className="card h-fit max-h-[calc(100vh-12rem)] overflow-y-auto p-2">
          {groups.isPending ? (
            <div className="flex justify-center p-4"><Spinner /></div>
          ) : groups.error ? (
            <ErrorState error={groups.error} onRetry={() => void groups.refetch()} />
          ) : (
            <ul className="flex flex-row flex-wrap gap-1 lg:flex-col">
              {groups.data.map((g) => {
                const sel = !q && g.group === activeGroup
                return (
                  <li key={g.group}>
                    <button
                      type="button"
                      aria-current={sel ? 'true' : undefined}
                      onClick={() => { setGroup(g.group); setSearch('') }}
                      className={cx(
                        'flex w-full items-center justify-between gap-3 rounded-ctl px-2.5 py-1.5 text-left text-sm',
                        sel ? 'bg-accent-soft font-medium text-accent' : 'text-fg hover:bg-subtle',
                      )}
                    >
                      <span className="truncate font-mono text-xs">{g.group}</span>
                      <span className="text-xs text-muted tabular-nums">{g.count}</span>
                    </button>
                  </li>
                )
              })}
            </ul>
          )}
        </nav>
        <section aria-label="Options" className="card flex min-w-0 flex-col">
          <div className="flex flex-wrap items-end gap-3 border-b border-line p-3">
            <TextField
              label="Search options"
              type="search"
              placeholder="Name or description, e.g. port"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              wrapperClassName="w-full max-w-sm"
            />
            <p className="pb-2 text-xs text-muted" aria-live="polite">
              {options.isFetching ? 'Searching…' : options.data ? `${options.data.length} option${options.data.length === 1 ? '' : 's'}${q ? ` matching “${q}”` : activeGroup ? ` in ${activeGroup}` : ''}` : ''}
            </p>
          </div>
          {options.error && !options.data ? (
            <ErrorState error={options.error} onRetry={() => void options.refetch()} />
          ) : options.isPending && (q || activeGroup) ? (
            <div className="flex justify-center p-10"><Spinner /></div>
          ) : !options.data?.length ? (
            <EmptyState title={q ? 'No option matches' : 'No options'}>{q ? 'Try another word, or clear the search.' : null}</EmptyState>
          ) : (
            <div className="overflow-x-auto">
              <table aria-label="Options" className={cx('w-full border-separate border-spacing-0 text-left text-sm', options.isFetching && 'opacity-70')}>
                <thead>
                  <tr className="text-xs text-muted">
                    <th scope="col" className="border-b border-line bg-subtle px-3 py-2 font-semibold">Option</th>
                    <th scope="col" className="border-b border-line bg-subtle px-3 py-2 font-semibold">Value</th>
                    <th scope="col" className="hidden border-b border-line bg-subtle px-3 py-2 font-semibold md:table-cell">Default</th>
                    <th scope="col" className="hidden border-b border-line bg-subtle px-3 py-2 font-semibold xl:table-cell">Description</th>
                    {isGlobal && <th scope="col" className="border-b border-line bg-subtle px-3 py-2"><span className="sr-only">Actions</span></th>}
                  </tr>
                </thead>
                <tbody>
                  {options.data.map((o) => (
                    <OptionLine key={o.name} o={o} canEdit={isGlobal} onEdit={() => setEditing({ option: o as EditableOption })} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
      <EditOptionDrawer
        open={!!editing}
        option={editing?.option ?? null}
        onClose={() => setEditing(undefined)}
        onSaved={(r) => { setEditing(undefined); setSaved(r) }}
      />
    </div>
  )
}

function OptionLine({ o, canEdit, onEdit }: { o: OptionRow; canEdit: boolean; onEdit: () => void }) {
  return (
    <tr data-option={o.name} className="align-top hover:bg-subtle/60">
      <td className="min-w-60 border-b border-line px-3 py-2">
        <div className="font-mono text-xs font-medium break-words text-fg">{o.name}</div>
        <div className="mt-1 flex flex-wrap gap-1">
          {o.restart ? <Badge tone="warn">restart: {o.restart}</Badge> : null}
          {o.restricted ? <Badge tone="danger">restricted</Badge> : null}
          {o.password ? <Badge tone="info">password</Badge> : null}
        </div>
        <p className="mt-1 text-xs text-muted xl:hidden">{o.description}</p>
      </td>
      <td className="max-w-72 min-w-28 border-b border-line px-3 py-2 font-mono text-xs break-words">
        <span className={cx(o.isDefault ? 'text-muted' : 'font-semibold text-fg')}>{o.password ? (o.value === null || o.value === undefined ? '—' : '********') : showValue(o.value)}</span>
        {!o.isDefault && <span className="ml-1.5 align-middle"><Badge tone="info">set</Badge></span>}
      </td>
      <td className="hidden max-w-60 min-w-24 border-b border-line px-3 py-2 font-mono text-xs break-words text-muted md:table-cell">{o.password ? '—' : showValue(o.default)}</td>
      <td className="hidden max-w-md border-b border-line px-3 py-2 text-xs text-muted xl:table-cell">{o.description}</td>
      {canEdit && (
        <td className="border-b border-line px-3 py-2 text-right">
          <Button size="sm" onClick={onEdit} aria-label={`Edit ${o.name}`}>
            Edit
          </Button>
        </td>
      )}
    </tr>
  )
}
