'use client'
// The user's editable attributes across the General / Addresses / Delivery / Vacation / Quota tabs,
// saved together with the `version` the page was loaded with (optimistic concurrency: a CONFLICT
// means someone else changed the entry - the banner offers a reload, the typed values stay).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import Link from 'next/link'
import { useState, type FormEvent, type ReactNode } from 'react'
import { Button } from '@/components/ui/Button'
import { ErrorState } from '@/components/ui/ErrorState'
import { FormErrorSummary } from '@/components/ui/FormErrorSummary'
import { QuotaBar } from '@/components/ui/QuotaBar'
import { Select } from '@/components/ui/Select'
import { Spinner } from '@/components/ui/Spinner'
import { StaleEditBanner } from '@/components/ui/StaleEditBanner'
import { Tabs } from '@/components/ui/Tabs'
import { TextArea, TextField } from '@/components/ui/TextField'
import { useToast } from '@/components/ui/Toast'
import { dateToGeneralized, formatIso, generalizedToDate } from '@/lib/dates'
import { formErrorsFrom, useFormErrors } from '@/lib/form-errors'
import { useTRPC, type RouterInputs, type RouterOutputs } from '@/lib/trpc'
import { formatBytes, formatCount, quotaInput, sizeHint, splitList } from '@/lib/units'
import { isStaleEdit } from '@/lib/use-edit-form'
import { DeliveryOptionsField } from './DeliveryOptionsField'
import { USER_FIELD_ALIASES, USER_FIELD_LABELS, USER_FIELDS } from './fields'

type UserDetail = RouterOutputs['users']['get']
type UpdateInput = RouterInputs['users']['update']

interface FormState {
  cn: string
  sn: string
  givenName: string
  mail: string
  aliases: string
  equivalentAddresses: string
  forwarding: string
  deliveryOptions: string[]
  mailQuota: string
  mailMsgQuota: string
  vacationMode: string
  vacationSubject: string
  vacationText: string
  vacationStart: string
  vacationEnd: string
}

function formOf(u: UserDetail): FormState {
  return {
    cn: u.cn,
    sn: u.sn,
    givenName: u.givenName,
    mail: u.mail,
    aliases: u.aliases.join('\n'),
    equivalentAddresses: u.equivalentAddresses.join('\n'),
    forwarding: u.forwarding.join('\n'),
    deliveryOptions: u.deliveryOptions,
    mailQuota: quotaInput(u.mailQuota),
    mailMsgQuota: quotaInput(u.mailMsgQuota),
    vacationMode: u.vacation.mode,
    vacationSubject: u.vacation.subject,
    vacationText: u.vacation.text,
    vacationStart: generalizedToDate(u.vacation.start),
    vacationEnd: generalizedToDate(u.vacation.end),
  }
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i])

/** Only what changed, so a save never rewrites attributes the admin did not touch. */
function changes(u: UserDetail, f: FormState): Partial<UpdateInput> {
  const out: Partial<UpdateInput> = {}
  const init = formOf(u)
  if (f.cn.trim() !== init.cn) out.cn = f.cn.trim()
  if (f.sn.trim() !== init.sn) out.sn = f.sn.trim()
  if (f.givenName.trim() !== init.givenName) out.givenName = f.givenName.trim()
  if (f.mail.trim() !== init.mail) out.mail = f.mail.trim()
  for (const k of ['aliases', 'equivalentAddresses', 'forwarding'] as const) {
    const now = splitList(f[k])
    if (!sameList(now, splitList(init[k]))) out[k] = now
  }
  if (!sameList([...f.deliveryOptions].sort(), [...init.deliveryOptions].sort())) out.deliveryOptions = f.deliveryOptions as UpdateInput['deliveryOptions']
  if (f.mailQuota.trim() !== init.mailQuota) out.mailQuota = f.mailQuota.trim()
  if (f.mailMsgQuota.trim() !== init.mailMsgQuota) out.mailMsgQuota = f.mailMsgQuota.trim()
  const vac = {
    mode: f.vacationMode as 'reply' | 'echo' | '',
    subject: f.vacationSubject,
    text: f.vacationText,
    start: dateToGeneralized(f.vacationStart),
    end: dateToGeneralized(f.vacationEnd),
  }
  if (
    vac.mode !== init.vacationMode ||
    vac.subject !== init.vacationSubject ||
    vac.text !== init.vacationText ||
    f.vacationStart !== init.vacationStart ||
    f.vacationEnd !== init.vacationEnd
  )
    out.vacation = vac
  return out
}

const TABS = [
  { id: 'general', label: 'General' },
  { id: 'addresses', label: 'Addresses' },
  { id: 'delivery', label: 'Delivery' },
  { id: 'vacation', label: 'Vacation' },
  { id: 'quota', label: 'Quota' },
  { id: 'groups', label: 'Groups' },
]
/** Which tab shows which field (to switch to the tab of the first field error). */
const TAB_OF: Record<string, string> = {
  cn: 'general', sn: 'general', givenName: 'general', mail: 'general',
  aliases: 'addresses', equivalentAddresses: 'addresses',
  forwarding: 'delivery', deliveryOptions: 'delivery',
  vacationMode: 'vacation', vacationSubject: 'vacation', vacationText: 'vacation', vacationStart: 'vacation', vacationEnd: 'vacation',
  mailQuota: 'quota', mailMsgQuota: 'quota',
}

export function UserEditor({
  user,
  readOnly,
  tab,
  onTab,
  onReload,
}: {
  user: UserDetail
  readOnly: boolean
  tab: string
  onTab: (t: string) => void
  onReload: () => void
}) {
  const trpc = useTRPC()
  const qc = useQueryClient()
  const toast = useToast()
  const [f, setF] = useState<FormState>(() => formOf(user))
  const [conflict, setConflict] = useState(false)
  const fe = useFormErrors(USER_FIELDS, USER_FIELD_ALIASES)
  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => {
    setF((s) => ({ ...s, [k]: v }))
    fe.clearField(k)
  }
  const diff = changes(user, f)
  const dirty = Object.keys(diff).length > 0

  const save = useMutation(
    trpc.users.update.mutationOptions({
      onSuccess: (u) => {
        qc.setQueryData(trpc.users.get.queryKey({ uid: user.uid, domain: user.domain }), u)
        void qc.invalidateQueries({ queryKey: trpc.users.list.pathKey() })
        void qc.invalidateQueries({ queryKey: trpc.quotas.pathKey() })
        toast.ok('Changes saved')
      },
      onError: (err) => {
        const e = formErrorsFrom(err, USER_FIELDS, USER_FIELD_ALIASES)
        if (isStaleEdit(err, e)) {
          setConflict(true)
          fe.clear()
          return
        }
        fe.setErrors(e)
        const first = Object.keys(e.fields)[0]
        if (first && TAB_OF[first]) onTab(TAB_OF[first]!)
      },
    }),
  )

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const hint = sizeHint(f.mailQuota)
    if (hint) {
      fe.setErrors({ fields: { mailQuota: hint }, form: [] })
      onTab('quota')
      return
    }
    fe.clear()
    save.mutate({ uid: user.uid, domain: user.domain, version: user.version, ...diff })
  }
  const err = fe.errors.fields
  const ro = readOnly

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-4">
      {conflict && (
        <StaleEditBanner onReload={onReload}>
          Nothing was saved. Reloading shows the current values; your edits on this page will be discarded.
        </StaleEditBanner>
      )}
      <FormErrorSummary errors={fe.errors} fieldLabels={USER_FIELD_LABELS} />
      <Tabs label="User settings" tabs={TABS} value={tab} onChange={onTab}>
        {tab === 'general' && (
          <Panel>
            <TextField id="givenName" label="Given name" value={f.givenName} error={err.givenName} disabled={ro} onChange={(e) => set('givenName', e.target.value)} />
            <TextField id="sn" label="Surname" value={f.sn} error={err.sn} disabled={ro} onChange={(e) => set('sn', e.target.value)} />
            <TextField id="cn" label="Full name" required value={f.cn} error={err.cn} disabled={ro} onChange={(e) => set('cn', e.target.value)} />
            <TextField id="mail" label="Primary address" value={f.mail} error={err.mail} disabled={ro} onChange={(e) => set('mail', e.target.value)} description="mail" />
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-xs text-muted sm:col-span-2">
              <dt>Store id</dt>
              <dd className="font-mono text-fg">{user.storeId}</dd>
              <dt>Last change</dt>
              <dd className="text-fg">{formatIso(user.version)}</dd>
            </dl>
          </Panel>
        )}
        {tab === 'addresses' && (
          <Panel>
            <TextArea id="aliases" label="Alias addresses" rows={6} value={f.aliases} error={err.aliases} disabled={ro} onChange={(e) => set('aliases', e.target.value)} description="mailAlternateAddress — one per line" />
            <TextArea id="equivalentAddresses" label="Equivalent addresses" rows={6} value={f.equivalentAddresses} error={err.equivalentAddresses} disabled={ro} onChange={(e) => set('equivalentAddresses', e.target.value)} description="mailEquivalentAddress — one per line" />
          </Panel>
        )}
        {tab === 'delivery' && (
          <Panel>
            <TextArea id="forwarding" label="Forwarding addresses" rows={5} value={f.forwarding} error={err.forwarding} disabled={ro} onChange={(e) => set('forwarding', e.target.value)} description="mailForwardingAddress — used with the forward delivery option" wrapperClassName="sm:col-span-2" />
            <div className="sm:col-span-2">
              <DeliveryOptionsField value={f.deliveryOptions} onChange={(v) => set('deliveryOptions', v)} error={err.deliveryOptions} disabled={ro} />
            </div>
          </Panel>
        )}
        {tab === 'vacation' && (
          <Panel>
            <Select
              id="vacationMode"
              label="Auto-reply mode"
              value={f.vacationMode}
              error={err.vacationMode}
              disabled={ro}
              onChange={(e) => set('vacationMode', e.target.value)}
              options={[
                { value: '', label: 'Off' },
                { value: 'reply', label: 'reply — send the text below' },
                { value: 'echo', label: 'echo — send the text and the original message' },
              ]}
              description="mailAutoReplyMode; the autoreply delivery option must also be set"
            />
            <TextField id="vacationSubject" label="Subject" value={f.vacationSubject} error={err.vacationSubject} disabled={ro} onChange={(e) => set('vacationSubject', e.target.value)} />
            <TextField id="vacationStart" label="Starts" type="date" value={f.vacationStart} error={err.vacationStart} disabled={ro} onChange={(e) => set('vacationStart', e.target.value)} />
            <TextField id="vacationEnd" label="Ends" type="date" value={f.vacationEnd} error={err.vacationEnd} disabled={ro} onChange={(e) => set('vacationEnd', e.target.value)} />
            <TextArea id="vacationText" label="Text" rows={6} value={f.vacationText} error={err.vacationText} disabled={ro} onChange={(e) => set('vacationText', e.target.value)} wrapperClassName="sm:col-span-2" className="font-sans text-sm" />
          </Panel>
        )}
        {tab === 'quota' && (
          <Panel>
            <div className="sm:col-span-2">
              <QuotaUsage uid={user.uid} domain={user.domain} />
            </div>
            <TextField id="mailQuota" label="Disk quota" value={f.mailQuota} error={err.mailQuota} disabled={ro} onChange={(e) => set('mailQuota', e.target.value)} placeholder="default" description="mailQuota, e.g. 100M, 2G; -1 unlimited; empty = system default" />
            <TextField id="mailMsgQuota" label="Message quota" value={f.mailMsgQuota} error={err.mailMsgQuota} disabled={ro} onChange={(e) => set('mailMsgQuota', e.target.value)} placeholder="default" description="mailMsgQuota, number of messages; -1 unlimited" />
          </Panel>
        )}
        {tab === 'groups' && (
          <div className="card p-5">
            {user.groups.length === 0 ? (
              <p className="text-sm text-muted">Not a member of any group.</p>
            ) : (
              <ul className="flex flex-col gap-1 text-sm">
                {user.groups.map((g) => (
                  <li key={g}>
                    <Link href={`/groups?search=${encodeURIComponent(g.split('@')[0] ?? g)}&domain=${encodeURIComponent(user.domain)}`} className="text-accent hover:underline">
                      {g}
                    </Link>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </Tabs>
      {!ro && tab !== 'groups' && (
        <div className="flex items-center gap-3">
          <Button type="submit" variant="primary" loading={save.isPending} disabled={!dirty || conflict}>
            Save changes
          </Button>
          <Button onClick={() => { setF(formOf(user)); fe.clear() }} disabled={!dirty || save.isPending}>
            Discard
          </Button>
          {dirty && <span className="text-xs text-muted">Unsaved changes</span>}
        </div>
      )}
    </form>
  )
}

function Panel({ children }: { children: ReactNode }) {
  return <div className="card grid gap-4 p-5 sm:grid-cols-2">{children}</div>
}

/** quotas.user: the store's usage against the effective limits. */
export function QuotaUsage({ uid, domain }: { uid: string; domain: string }) {
  const trpc = useTRPC()
  const q = useQuery(trpc.quotas.user.queryOptions({ uid, domain }))
  if (q.isPending) return <Spinner />
  if (q.error) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />
  const s = q.data
  return (
    <div className="flex flex-col gap-3" data-testid="quota-usage">
      <QuotaBar label="Disk" used={s.diskUsed} limit={s.diskLimit} format={formatBytes} />
      <QuotaBar label="Messages" used={s.msgUsed} limit={s.msgLimit} format={formatCount} />
      {s.state === 'grace' && s.graceEndsAt && <p className="text-xs text-warn">Over quota; grace period ends {formatIso(s.graceEndsAt)}.</p>}
      {s.state === 'over' && <p className="text-xs text-danger">Over quota: new mail is refused or held.</p>}
    </div>
  )
}
