'use client'
// Administrators (issue 6 §2; global administrators only — the API refuses everyone else): who may
// use the console, with which role and for which domains; create, edit, delete (with confirmation).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Badge, type BadgeTone } from '@/components/ui/Badge'
import { Button } from '@/components/ui/Button'
import { ConfirmDialog } from '@/components/ui/ConfirmDialog'
import { EmptyState } from '@/components/ui/EmptyState'
import { ErrorState } from '@/components/ui/ErrorState'
import { PageHeader } from '@/components/ui/PageHeader'
import { Spinner } from '@/components/ui/Spinner'
import { useToast } from '@/components/ui/Toast'
import { humanMessage } from '@/lib/form-errors'
import { useSession } from '@/lib/session'
import { useTRPC } from '@/lib/trpc'
import { shortTime } from '../config/format'
import { AdminForm, type AdminRow } from './AdminForm'

const roleTone: Record<string, BadgeTone> = { global: 'danger', domain: 'info', auditor: 'neutral' }

export function AdminsPage() {
  const { isGlobal, me } = useSession()
  if (!isGlobal) {
    return (
      <div>
        <PageHeader title="Administrators" />
        <div className="card">
          <EmptyState title="Only global administrators manage administrators">
            You are signed in as {me.username} ({me.role} administrator).
          </EmptyState>
        </div>
      </div>
    )
  }
  return <AdminsList />
}

function AdminsList() {
  const trpc = useTRPC()
  const qc = useQueryClient()
  const toast = useToast()
  const { me } = useSession()
  const list = useQuery(trpc.admins.list.queryOptions())
  const rows: AdminRow[] | undefined = list.data === undefined ? undefined : Array.isArray(list.data) ? (list.data as AdminRow[]) : ((list.data as { items: AdminRow[] }).items)
  const [form, setForm] = useState<{ admin: AdminRow | null } | undefined>()
  const [deleting, setDeleting] = useState<AdminRow | undefined>()
  const del = useMutation(
    trpc.admins.delete.mutationOptions({
      onSuccess: (_r, v) => {
        toast.ok(`Administrator ${v.username} deleted`)
        setDeleting(undefined)
        void qc.invalidateQueries({ queryKey: trpc.admins.pathKey() })
        void qc.invalidateQueries({ queryKey: trpc.audit.pathKey() })
      },
      onError: (err) => { toast.error(humanMessage(err)); setDeleting(undefined) },
    }),
  )

  return (
    <div>
      <PageHeader
        title="Administrators"
        description="Who may sign in to this console: global administrators, domain administrators limited to their domains, and read-only auditors."
        actions={<Button variant="primary" onClick={() => setForm({ admin: null })}>New administrator</Button>}
      />
      <section aria-label="Administrators" className="card">
        {list.error && !rows ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : !rows ? (
          <div className="flex justify-center p-10"><Spinner /></div>
        ) : !rows.length ? (
          <EmptyState title="No administrators" />
        ) : (
          <div className="overflow-x-auto">
            <table aria-label="Administrators" className="w-full border-separate border-spacing-0 text-left text-sm">
              <thead>
                <tr className="text-xs text-muted">
                  <th scope="col" className="border-b border-line bg-subtle px-3 py-2 font-semibold">User name</th>
                  <th scope="col" className="border-b border-line bg-subtle px-3 py-2 font-semibold">Role</th>
                  <th scope="col" className="border-b border-line bg-subtle px-3 py-2 font-semibold">Domains</th>
                  <th scope="col" className="hidden border-b border-line bg-subtle px-3 py-2 font-semibold md:table-cell">Signs in with</th>
                  <th scope="col" className="hidden border-b border-line bg-subtle px-3 py-2 font-semibold lg:table-cell">Created</th>
                  <th scope="col" className="border-b border-line bg-subtle px-3 py-2"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {rows.map((a) => (
                  <tr key={a.username} data-admin={a.username}>
                    <td className="border-b border-line px-3 py-2 font-medium">
                      {a.username}
                      {a.username === me.username && <span className="ml-2 text-xs text-muted">(you)</span>}
                    </td>
                    <td className="border-b border-line px-3 py-2"><Badge tone={roleTone[a.role] ?? 'neutral'}>{a.role}</Badge></td>
                    <td className="border-b border-line px-3 py-2 text-xs">{a.role === 'domain' ? a.domains.join(', ') || '—' : <span className="text-muted">all</span>}</td>
                    <td className="hidden border-b border-line px-3 py-2 text-xs text-muted md:table-cell">{a.directoryUid ? `directory user ${a.directoryUid}` : 'own password'}</td>
                    <td className="hidden border-b border-line px-3 py-2 text-xs text-muted lg:table-cell">{shortTime(a.createdAt)}</td>
                    <td className="border-b border-line px-3 py-2">
                      <div className="flex justify-end gap-1.5">
                        <Button size="sm" onClick={() => setForm({ admin: a })} aria-label={`Edit ${a.username}`}>Edit</Button>
                        {a.username !== me.username && (
                          <Button size="sm" variant="danger" onClick={() => setDeleting(a)} aria-label={`Delete ${a.username}`}>Delete</Button>
                        )}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <AdminForm open={!!form} admin={form?.admin ?? null} onClose={() => setForm(undefined)} />
      <ConfirmDialog
        open={!!deleting}
        title={`Delete administrator ${deleting?.username}?`}
        busy={del.isPending}
        onClose={() => setDeleting(undefined)}
        onConfirm={() => deleting && del.mutate({ username: deleting.username })}
      >
        {deleting?.username} can no longer sign in to the console; their open sessions end. Directory users they point to are not touched.
      </ConfirmDialog>
    </div>
  )
}
