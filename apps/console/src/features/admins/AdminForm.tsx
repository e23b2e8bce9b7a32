'use client'
// Create or edit one console administrator (issue 6 §2): a local account with its own password, or
// an entry that points at a directory user (sign-in then checks the directory's password); the
// role — global, domain (scoped to the ticked domains) or auditor (read-only).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { Banner } from '@/components/ui/Banner'
import { Button } from '@/components/ui/Button'
import { Checkbox } from '@/components/ui/Checkbox'
import { FormErrorSummary } from '@/components/ui/FormErrorSummary'
import { Select } from '@/components/ui/Select'
import { TextField } from '@/components/ui/TextField'
import { useToast } from '@/components/ui/Toast'
import { noErrors, formErrorsFrom, type FormErrors } from '@/lib/form-errors'
import { useTRPC, type RouterOutputs } from '@/lib/trpc'
import { Drawer } from '../config/Drawer'

export type AdminRow = RouterOutputs['admins']['list'] extends infer L ? (L extends Array<infer R> ? R : L extends { items: Array<infer R> } ? R : never) : never
type Role = 'global' | 'domain' | 'auditor'

const FIELDS = ['username', 'password', 'directoryUid', 'role', 'domains'] as const
const LABELS = { username: 'User name', password: 'Password', directoryUid: 'Directory user', role: 'Role', domains: 'Domains' }

export const ROLE_TEXT: Record<Role, string> = {
  global: 'Global administrator — everything',
  domain: 'Domain administrator — users, groups and quotas of its domains',
  auditor: 'Auditor — reads everything, changes nothing',
}

export function AdminForm({ open, admin, onClose }: { open: boolean; admin: AdminRow | null; onClose: () => void }) {
  const trpc = useTRPC()
  const qc = useQueryClient()
  const toast = useToast()
  const editing = !!admin
  const [username, setUsername] = useState('')
  const [mode, setMode] = useState<'password' | 'directory'>('password')
  const [password, setPassword] = useState('')
  const [directoryUid, setDirectoryUid] = useState('')
  const [role, setRole] = useState<Role>('domain')
  const [domains, setDomains] = useState<string[]>([])
  const [errors, setErrors] = useState<FormErrors>(noErrors)

  useEffect(() => {
    if (!open) return
    setUsername(admin?.username ?? '')
    setMode(admin?.directoryUid ? 'directory' : 'password')
    setPassword('')
    setDirectoryUid(admin?.directoryUid ?? '')
    setRole((admin?.role as Role | undefined) ?? 'domain')
    setDomains(admin?.domains ?? [])
    setErrors(noErrors)
  }, [open, admin])

  const domainList = useQuery({ ...trpc.domains.list.queryOptions({ limit: 200 }), enabled: open })
  const known = domainList.data?.items.map((d) => d.name) ?? []
  const shown = [...new Set([...known, ...domains])].sort()

  const done = (text: string) => {
    toast.ok(text)
    void qc.invalidateQueries({ queryKey: trpc.admins.pathKey() })
    void qc.invalidateQueries({ queryKey: trpc.audit.pathKey() })
    onClose()
  }
  const fail = (err: unknown) => {
    const e = formErrorsFrom(err, FIELDS)
    // CONFLICT on create is a duplicate name (a field error); on update the stale-version banner
    setErrors(editing && e.code === 'CONFLICT' ? { fields: {}, form: [], code: 'CONFLICT' } : { ...e, code: e.code === 'CONFLICT' && !editing ? undefined : e.code })
  }
  const create = useMutation(trpc.admins.create.mutationOptions({ onSuccess: () => done(`Administrator ${username} created`), onError: fail }))
  const update = useMutation(trpc.admins.update.mutationOptions({ onSuccess: () => done(`Administrator ${username} updated`), onError: fail }))
  const busy = create.isPending || update.isPending

  const submit = () => {
    const local: Record<string, string> = {}
    if (!editing && !username.trim()) local.username = 'Enter a user name.'
    if (!editing && mode === 'password' && !password) local.password = 'Enter a password, or use a directory user.'
    if (!editing && mode === 'directory' && !directoryUid.trim()) local.directoryUid = 'Enter the directory user (uid or address).'
    if (role === 'domain' && !domains.length) local.domains = 'A domain administrator needs at least one domain.'
    if (Object.keys(local).length) { setErrors({ fields: local, form: [] }); return }
    setErrors(noErrors)
    const scope = role === 'domain' ? domains : []
    if (editing) {
      update.mutate({ username: admin.username, version: admin.version, role, domains: scope, ...(password ? { password } : {}) })
    } else {
      create.mutate({
        username: username.trim(),
        role,
        domains: scope,
        ...(mode === 'password' ? { password } : { directoryUid: directoryUid.trim() }),
      })
    }
  }

  return (
    <Drawer
      open={open}
      onClose={onClose}
      busy={busy}
      title={editing ? `Edit ${admin.username}` : 'New administrator'}
      description={editing ? 'Change the role, the domains or the password.' : 'Who may use this console, and for what.'}
      footer={
        <>
          <Button onClick={onClose} disabled={busy}>Cancel</Button>
          <Button variant="primary" type="submit" form="admin-form" loading={busy}>{editing ? 'Save' : 'Create administrator'}</Button>
        </>
      }
    >
      <form id="admin-form" noValidate className="flex flex-col gap-4" onSubmit={(e) => { e.preventDefault(); submit() }}>
        {errors.code === 'CONFLICT' ? (
          <Banner tone="warn" title="Not saved">This administrator was changed by someone else since you opened it; nothing was saved. Close and open it again.</Banner>
        ) : (
          <FormErrorSummary errors={errors} idPrefix="adm-" fieldLabels={LABELS} />
        )}
        <TextField
          id="adm-username"
          label={LABELS.username}
          required={!editing}
          disabled={editing}
          autoComplete="off"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          error={errors.fields.username}
        />
        {!editing && (
          <fieldset className="flex flex-col gap-2">
            <legend className="mb-1 text-xs font-medium">Signs in with</legend>
            <label className="flex items-center gap-2 text-sm">
              <input type="radio" name="adm-mode" className="accent-accent" checked={mode === 'password'} onChange={() => setMode('password')} />
              A password of its own
            </label>
            <label className="flex items-center gap-2 text-sm">
              <input type="radio" name="adm-mode" className="accent-accent" checked={mode === 'directory'} onChange={() => setMode('directory')} />
              A directory user’s password
            </label>
          </fieldset>
        )}
        {(editing ? !admin.directoryUid : mode === 'password') && (
          <TextField
            id="adm-password"
            label={editing ? 'New password' : LABELS.password}
            type="password"
            autoComplete="new-password"
            required={!editing}
            description={editing ? 'Leave empty to keep the current password.' : undefined}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={errors.fields.password}
          />
        )}
        {(editing ? !!admin.directoryUid : mode === 'directory') && (
          <TextField
            id="adm-directoryUid"
            label={LABELS.directoryUid}
            required={!editing}
            disabled={editing}
            placeholder="uid or mail address"
            value={directoryUid}
            onChange={(e) => setDirectoryUid(e.target.value)}
            error={errors.fields.directoryUid}
          />
        )}
        <Select
          id="adm-role"
          label={LABELS.role}
          value={role}
          onChange={(e) => setRole(e.target.value as Role)}
          error={errors.fields.role}
          options={(['global', 'domain', 'auditor'] as const).map((r) => ({ value: r, label: ROLE_TEXT[r] }))}
        />
        {role === 'domain' && (
          <fieldset id="adm-domains" className="flex flex-col gap-2" aria-describedby={errors.fields.domains ? 'adm-domains-err' : undefined}>
            <legend className="mb-1 text-xs font-medium">{LABELS.domains}</legend>
            {domainList.isPending ? (
              <p className="text-xs text-muted">Loading domains…</p>
            ) : !shown.length ? (
              <p className="text-xs text-muted">There are no domains yet.</p>
            ) : (
              <div className="grid max-h-56 grid-cols-1 gap-1.5 overflow-y-auto sm:grid-cols-2">
                {shown.map((d) => (
                  <Checkbox
                    key={d}
                    label={d}
                    checked={domains.includes(d)}
                    onChange={(e) => setDomains((xs) => (e.target.checked ? [...xs, d] : xs.filter((x) => x !== d)))}
                  />
                ))}
              </div>
            )}
            {errors.fields.domains && <p id="adm-domains-err" className="text-xs font-medium text-danger">{errors.fields.domains}</p>}
          </fieldset>
        )}
      </form>
    </Drawer>
  )
}
