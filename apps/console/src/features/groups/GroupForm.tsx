'use client'
// Create a group or edit its address, aliases and members. Members are user/group addresses or
// external addresses (uniqueMember / mgrpRFC822MailMember): picked with the search-as-you-type
// picker (chips) or pasted as a list, one per line - both edit the same member list.
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
import { splitList } from '@/lib/units'
import { useEditForm } from '@/lib/use-edit-form'
import { useDomainOptions } from '../users/useDomainOptions'
import { groupHref } from './GroupsList'
import { MemberPicker } from './MemberPicker'

type GroupDetail = RouterOutputs['groups']['get']
const FIELDS = ['cn', 'domain', 'mail', 'aliases', 'members'] as const
const LABELS = { cn: 'Name', domain: 'Domain', mail: 'Address', aliases: 'Alias addresses', members: 'Members' }
const ALIASES = { uniqueMember: 'members', mgrpRFC822MailMember: 'members', mailAlternateAddress: 'aliases', group: 'cn' }

export function GroupForm({ group, readOnly, onReload }: { group?: GroupDetail; readOnly?: boolean; onReload?: () => void }) {
  const trpc = useTRPC()
  const qc = useQueryClient()
  const router = useRouter()
  const toast = useToast()
  const domains = useDomainOptions()
  const init = {
    cn: group?.cn ?? '',
    domain: group?.domain ?? '',
    mail: group?.mail ?? '',
    aliases: (group?.aliases ?? []).join('\n'),
    members: (group?.members ?? []).join('\n'),
  }
  const { f, set, fe, conflict, onError, dirty, discard } = useEditForm(init, { editing: Boolean(group), fields: FIELDS, aliases: ALIASES })
  const domain = f.domain || domains.names[0] || ''
  const saved = (verb: string) => {
    void qc.invalidateQueries({ queryKey: trpc.groups.pathKey() })
    void qc.invalidateQueries({ queryKey: trpc.users.get.pathKey() })
    toast.ok(`Group ${verb}`)
  }
  const create = useMutation(
    trpc.groups.create.mutationOptions({
      onSuccess: (g) => {
        saved('created')
        router.push(groupHref(g))
      },
      onError,
    }),
  )
  const update = useMutation(trpc.groups.update.mutationOptions({ onSuccess: () => saved('saved'), onError }))
  const submit = (e: FormEvent) => {
    e.preventDefault()
    fe.clear()
    if (!group) {
      create.mutate({ cn: f.cn.trim(), domain, mail: f.mail.trim() || undefined, aliases: splitList(f.aliases), members: splitList(f.members) })
    } else {
      update.mutate({
        cn: group.cn,
        domain: group.domain,
        version: group.version,
        mail: f.mail !== init.mail ? f.mail.trim() : undefined,
        aliases: f.aliases !== init.aliases ? splitList(f.aliases) : undefined,
        members: f.members !== init.members ? splitList(f.members) : undefined,
      })
    }
  }
  const err = fe.errors.fields
  const busy = create.isPending || update.isPending
  return (
    <form onSubmit={submit} noValidate className="flex max-w-3xl flex-col gap-4">
      {conflict && (
        <StaleEditBanner onReload={onReload}>Nothing was saved. Reloading shows the current members and discards your edits on this page.</StaleEditBanner>
      )}
      <FormErrorSummary errors={fe.errors} fieldLabels={LABELS} title={group ? 'The changes were not saved' : 'The group was not created'} />
      <div className="card grid gap-4 p-5 sm:grid-cols-2">
        <TextField id="cn" label="Name" required value={f.cn} error={err.cn} disabled={Boolean(group) || readOnly} onChange={(e) => set('cn', e.target.value)} description="cn, unique in the domain" />
        <Select id="domain" label="Domain" required disabled={Boolean(group) || readOnly} options={(group ? [group.domain] : domains.names).map((d) => ({ value: d, label: d }))} value={domain} error={err.domain} onChange={(e) => set('domain', e.target.value)} />
        <TextField id="mail" label="Address" value={f.mail} error={err.mail} disabled={readOnly} onChange={(e) => set('mail', e.target.value)} placeholder={f.cn && domain ? `${f.cn}@${domain}` : 'list@domain'} description="Defaults to name@domain" />
        <TextArea id="aliases" label="Alias addresses" rows={2} value={f.aliases} error={err.aliases} disabled={readOnly} onChange={(e) => set('aliases', e.target.value)} description="One per line" />
        <MemberPicker members={splitList(f.members)} onChange={(list) => set('members', list.join('\n'))} disabled={readOnly} />
        <TextArea id="members" label="Members" rows={6} value={f.members} error={err.members} disabled={readOnly} onChange={(e) => set('members', e.target.value)} description="Or paste a list: user or group addresses, or external addresses — one per line" wrapperClassName="sm:col-span-2" />
      </div>
      {!readOnly && (
        <div className="flex gap-2">
          <Button type="submit" variant="primary" loading={busy} disabled={(group ? !dirty : !f.cn.trim() || !domain) || conflict}>
            {group ? 'Save changes' : 'Create group'}
          </Button>
          {group ? (
            <Button onClick={discard} disabled={!dirty || busy}>Discard</Button>
          ) : (
            <LinkButton href="/groups">Cancel</LinkButton>
          )}
        </div>
      )}
    </form>
  )
}
