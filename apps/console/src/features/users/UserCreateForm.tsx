'use client'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useRouter, useSearchParams } from 'next/navigation'
import { useState, type FormEvent } from 'react'
import { Button } from '@/components/ui/Button'
import { FormErrorSummary } from '@/components/ui/FormErrorSummary'
import { LinkButton } from '@/components/ui/LinkButton'
import { PageHeader } from '@/components/ui/PageHeader'
import { Select } from '@/components/ui/Select'
import { TextArea, TextField } from '@/components/ui/TextField'
import { useToast } from '@/components/ui/Toast'
import { useFormErrors } from '@/lib/form-errors'
import { useTRPC, type RouterInputs } from '@/lib/trpc'

type DeliveryOption = NonNullable<RouterInputs['users']['create']['deliveryOptions']>[number]
import { sizeHint, splitList } from '@/lib/units'
import { DeliveryOptionsField } from './DeliveryOptionsField'
import { USER_FIELD_ALIASES, USER_FIELD_LABELS, USER_FIELDS } from './fields'
import { userHref } from './UsersList'
import { useDomainOptions } from './useDomainOptions'

export function UserCreateForm() {
  const trpc = useTRPC()
  const qc = useQueryClient()
  const router = useRouter()
  const toast = useToast()
  const params = useSearchParams()
  const domains = useDomainOptions()
  const fe = useFormErrors(USER_FIELDS, USER_FIELD_ALIASES)

  const [f, setF] = useState({
    uid: '',
    domain: params.get('domain') ?? '',
    password: '',
    cn: '',
    sn: '',
    givenName: '',
    mail: '',
    aliases: '',
    mailQuota: '',
    mailMsgQuota: '',
    forwarding: '',
    deliveryOptions: ['mailbox'] as string[],
  })
  const set = <K extends keyof typeof f>(k: K, v: (typeof f)[K]) => {
    setF((s) => ({ ...s, [k]: v }))
    fe.clearField(k)
  }
  const domain = f.domain || domains.names[0] || ''

  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSuccess: () => {
        void qc.invalidateQueries({ queryKey: trpc.users.pathKey() })
        toast.ok(`User ${f.uid}@${domain} created`)
        router.push(userHref({ uid: f.uid.trim(), domain }))
      },
      onError: fe.fromError,
    }),
  )

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const hints: Record<string, string> = {}
    const dq = sizeHint(f.mailQuota)
    if (dq) hints.mailQuota = dq
    if (f.mailMsgQuota.trim() && !/^-?\d+$/.test(f.mailMsgQuota.trim())) hints.mailMsgQuota = 'A number of messages; -1 for unlimited'
    if (Object.keys(hints).length) {
      fe.setErrors({ fields: hints, form: [] })
      return
    }
    fe.clear()
    create.mutate({
      uid: f.uid.trim(),
      domain,
      password: f.password,
      cn: f.cn.trim() || [f.givenName.trim(), f.sn.trim()].filter(Boolean).join(' ') || f.uid.trim(),
      sn: f.sn.trim() || undefined,
      givenName: f.givenName.trim() || undefined,
      mail: f.mail.trim() || undefined,
      aliases: splitList(f.aliases),
      mailQuota: f.mailQuota.trim() || undefined,
      mailMsgQuota: f.mailMsgQuota.trim() || undefined,
      forwarding: splitList(f.forwarding),
      deliveryOptions: f.deliveryOptions as DeliveryOption[],
    })
  }
  const err = fe.errors.fields

  return (
    <>
      <PageHeader title="New user" crumbs={<a href="/users" className="hover:underline">Users</a>} />
      <form onSubmit={submit} noValidate className="flex max-w-3xl flex-col gap-5">
        <FormErrorSummary errors={fe.errors} fieldLabels={USER_FIELD_LABELS} title="The user was not created" />
        <section className="card grid gap-4 p-5 sm:grid-cols-2">
          <h2 className="text-lg font-semibold sm:col-span-2">Account</h2>
          <TextField id="uid" label="User ID" required value={f.uid} error={err.uid} onChange={(e) => set('uid', e.target.value)} autoComplete="off" description="Login name, unique in the domain" />
          <Select
            id="domain"
            label="Domain"
            required
            options={domains.names.map((d) => ({ value: d, label: d }))}
            value={domain}
            error={err.domain}
            onChange={(e) => set('domain', e.target.value)}
          />
          <TextField id="password" label="Password" type="password" required autoComplete="new-password" value={f.password} error={err.password} onChange={(e) => set('password', e.target.value)} />
          <TextField id="mail" label="Primary address" value={f.mail} error={err.mail} onChange={(e) => set('mail', e.target.value)} placeholder={f.uid && domain ? `${f.uid}@${domain}` : 'uid@domain'} description="Defaults to uid@domain" />
          <TextField id="givenName" label="Given name" value={f.givenName} error={err.givenName} onChange={(e) => set('givenName', e.target.value)} />
          <TextField id="sn" label="Surname" value={f.sn} error={err.sn} onChange={(e) => set('sn', e.target.value)} />
          <TextField id="cn" label="Full name" value={f.cn} error={err.cn} onChange={(e) => set('cn', e.target.value)} wrapperClassName="sm:col-span-2" description="Defaults to given name + surname" />
        </section>
        <section className="card grid gap-4 p-5 sm:grid-cols-2">
          <h2 className="text-lg font-semibold sm:col-span-2">Addresses and delivery</h2>
          <TextArea id="aliases" label="Alias addresses" rows={3} value={f.aliases} error={err.aliases} onChange={(e) => set('aliases', e.target.value)} description="mailAlternateAddress — one per line" />
          <TextArea id="forwarding" label="Forwarding addresses" rows={3} value={f.forwarding} error={err.forwarding} onChange={(e) => set('forwarding', e.target.value)} description="mailForwardingAddress — one per line; add the forward option below" />
          <div className="sm:col-span-2">
            <DeliveryOptionsField value={f.deliveryOptions} onChange={(v) => set('deliveryOptions', v)} error={err.deliveryOptions} />
          </div>
        </section>
        <section className="card grid gap-4 p-5 sm:grid-cols-2">
          <h2 className="text-lg font-semibold sm:col-span-2">Quota</h2>
          <TextField id="mailQuota" label="Disk quota" value={f.mailQuota} error={err.mailQuota} onChange={(e) => set('mailQuota', e.target.value)} placeholder="default" description="e.g. 100M, 2G; -1 unlimited; empty = system default" />
          <TextField id="mailMsgQuota" label="Message quota" value={f.mailMsgQuota} error={err.mailMsgQuota} onChange={(e) => set('mailMsgQuota', e.target.value)} placeholder="default" description="Number of messages; -1 unlimited" />
        </section>
        <div className="flex gap-2">
          <Button type="submit" variant="primary" loading={create.isPending} disabled={!f.uid.trim() || !f.password || !domain}>
            Create user
          </Button>
          <LinkButton href="/users">Cancel</LinkButton>
        </div>
      </form>
    </>
  )
}
