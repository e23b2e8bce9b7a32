'use client'
// Create and edit a domain. Edit sends the `version` from domains.get; CONFLICT without field errors
// means the entry changed since it was opened (stale edit) → banner with a reload, edits kept.
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useRouter } from 'next/navigation'
import { type FormEvent } from 'react'
import { Button } from '@/components/ui/Button'
import { FormErrorSummary } from '@/components/ui/FormErrorSummary'
import { LinkButton } from '@/components/ui/LinkButton'
import { Select } from '@/components/ui/Select'
import { StaleEditBanner } from '@/components/ui/StaleEditBanner'
import { TextArea, TextField } from '@/components/ui/TextField'
import { useToast } from '@/components/ui/Toast'
import { useTRPC, type RouterOutputs } from '@/lib/trpc'
import { quotaInput, sizeHint, splitList } from '@/lib/units'
import { useEditForm } from '@/lib/use-edit-form'
import { domainHref } from './DomainsList'

type DomainDetail = RouterOutputs['domains']['get']
type DomainStatus = 'active' | 'inactive' | 'hold' | 'disabled'

const FIELDS = ['name', 'aliases', 'status', 'diskQuota', 'msgQuota'] as const
const LABELS = { name: 'Domain name', aliases: 'Aliases', status: 'Status', diskQuota: 'Disk quota', msgQuota: 'Message quota' }
const ALIASES = { associatedDomain: 'aliases', mailDomainDiskQuota: 'diskQuota', mailDomainMsgQuota: 'msgQuota', inetDomainStatus: 'status', domain: 'name' }
const STATUS_OPTIONS = ['active', 'inactive', 'hold', 'disabled'].map((s) => ({ value: s, label: s }))

export function DomainForm({ domain, readOnly, onReload }: { domain?: DomainDetail; readOnly?: boolean; onReload?: () => void }) {
  const trpc = useTRPC()
  const qc = useQueryClient()
  const router = useRouter()
  const toast = useToast()
  const editing = Boolean(domain)
  const init = {
    name: domain?.name ?? '',
    aliases: (domain?.aliases ?? []).join('\n'),
    status: (['active', 'inactive', 'hold', 'disabled'].includes(domain?.status ?? '') ? domain!.status : 'active') as DomainStatus,
    diskQuota: quotaInput(domain?.diskQuota),
    msgQuota: quotaInput(domain?.msgQuota),
  }
  const { f, set, fe, conflict, onError, dirty, discard } = useEditForm(init, { editing, fields: FIELDS, aliases: ALIASES })
  const done = (name: string, verb: string) => {
    void qc.invalidateQueries({ queryKey: trpc.domains.pathKey() })
    toast.ok(`Domain ${name} ${verb}`)
  }
  const create = useMutation(
    trpc.domains.create.mutationOptions({
      onSuccess: (d) => {
        done(d.name, 'created')
        router.push(domainHref(d.name))
      },
      onError,
    }),
  )
  const update = useMutation(trpc.domains.update.mutationOptions({ onSuccess: (d) => done(d.name, 'saved'), onError }))

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const hint = sizeHint(f.diskQuota)
    if (hint) return fe.setErrors({ fields: { diskQuota: hint }, form: [] })
    fe.clear()
    const aliases = splitList(f.aliases)
    if (!domain) {
      create.mutate({
        name: f.name.trim(),
        aliases,
        status: f.status,
        diskQuota: f.diskQuota.trim() || undefined,
        msgQuota: f.msgQuota.trim() || undefined,
      })
    } else {
      update.mutate({
        name: domain.name,
        version: domain.version,
        aliases: f.aliases !== init.aliases ? aliases : undefined,
        status: f.status !== init.status ? f.status : undefined,
        diskQuota: f.diskQuota !== init.diskQuota ? f.diskQuota.trim() : undefined,
        msgQuota: f.msgQuota !== init.msgQuota ? f.msgQuota.trim() : undefined,
      })
    }
  }
  const err = fe.errors.fields
  const busy = create.isPending || update.isPending

  return (
    <form onSubmit={submit} noValidate className="flex max-w-3xl flex-col gap-4">
      {conflict && (
        <StaleEditBanner onReload={onReload}>Nothing was saved. Reloading shows the current values and discards your edits on this page.</StaleEditBanner>
      )}
      <FormErrorSummary errors={fe.errors} fieldLabels={LABELS} title={editing ? 'The changes were not saved' : 'The domain was not created'} />
      <div className="card grid gap-4 p-5 sm:grid-cols-2">
        <TextField id="name" label="Domain name" required value={f.name} error={err.name} disabled={editing || readOnly} onChange={(e) => set('name', e.target.value)} placeholder="example.com" />
        <Select id="status" label="Status" options={STATUS_OPTIONS} value={f.status} error={err.status} disabled={readOnly} onChange={(e) => set('status', e.target.value as DomainStatus)} description="inetDomainStatus" />
        <TextArea id="aliases" label="Aliases" rows={3} value={f.aliases} error={err.aliases} disabled={readOnly} onChange={(e) => set('aliases', e.target.value)} description="Other names of the domain (associatedDomain) — one per line" wrapperClassName="sm:col-span-2" />
        <TextField id="diskQuota" label="Disk quota" value={f.diskQuota} error={err.diskQuota} disabled={readOnly} onChange={(e) => set('diskQuota', e.target.value)} placeholder="none" description="mailDomainDiskQuota, e.g. 10G; -1 unlimited" />
        <TextField id="msgQuota" label="Message quota" value={f.msgQuota} error={err.msgQuota} disabled={readOnly} onChange={(e) => set('msgQuota', e.target.value)} placeholder="none" description="mailDomainMsgQuota, number of messages" />
      </div>
      {!readOnly && (
        <div className="flex gap-2">
          <Button type="submit" variant="primary" loading={busy} disabled={(editing && !dirty) || !f.name.trim() || conflict}>
            {editing ? 'Save changes' : 'Create domain'}
          </Button>
          {editing ? (
            <Button onClick={discard} disabled={!dirty || busy}>Discard</Button>
          ) : (
            <LinkButton href="/domains">Cancel</LinkButton>
          )}
        </div>
      )}
    </form>
  )
}
