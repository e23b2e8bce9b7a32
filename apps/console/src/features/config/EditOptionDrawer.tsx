'use client'
// Editing one option: type-aware value, a remark for the version history, server validation shown
// under the value, an explicit confirmation for restricted options (spec 01 §1 `set -restricted`),
// and the stale-edit check: the save names the configuration version the drawer was opened on;
// the API answers CONFLICT when someone saved in between, and nothing changes.
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { Badge } from '@/components/ui/Badge'
import { Banner } from '@/components/ui/Banner'
import { Button } from '@/components/ui/Button'
import { ConfirmDialog } from '@/components/ui/ConfirmDialog'
import { FormErrorSummary } from '@/components/ui/FormErrorSummary'
import { TextField } from '@/components/ui/TextField'
import { humanMessage, noErrors, formErrorsFrom, type FormErrors } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'
import { Drawer } from './Drawer'
import { showValue } from './format'
import { OptionInput, toApiValue, toText, type OptionMeta } from './OptionInput'

export interface EditableOption extends OptionMeta {
  value?: unknown
  default?: unknown
  isDefault?: boolean
  description?: string
  restricted?: boolean
  restart?: string | null
}

export interface SaveResult {
  version: number
  restartNeeded: string[]
  option: string
}

const FIELDS = ['name', 'value', 'remark'] as const

export function EditOptionDrawer({
  option,
  open,
  onClose,
  onSaved,
}: {
  /** The option to edit; `null` = set an option by name. */
  option: EditableOption | null
  open: boolean
  onClose: () => void
  onSaved: (r: SaveResult) => void
}) {
  const trpc = useTRPC()
  const qc = useQueryClient()
  const [name, setName] = useState('')
  const [text, setText] = useState('')
  const [remark, setRemark] = useState('')
  const [baseVersion, setBaseVersion] = useState<number | undefined>()
  const [errors, setErrors] = useState<FormErrors>(noErrors)
  const [confirming, setConfirming] = useState(false)

  // A fresh start each time the drawer opens, on the configuration version current at that moment.
  useEffect(() => {
    if (!open) return
    setName(option?.name ?? '')
    setText(option ? toText(option, option.value) : '')
    setRemark('')
    setErrors(noErrors)
    setConfirming(false)
    setBaseVersion(undefined)
    let live = true
    qc.fetchQuery({ ...trpc.config.version.queryOptions(), staleTime: 0 })
      .then((v) => { if (live) setBaseVersion(v.version) })
      .catch((err: unknown) => { if (live) setErrors(formErrorsFrom(err)) })
    return () => { live = false }
  }, [open, option, qc, trpc])

  const meta: OptionMeta = option ?? { name, type: 'string' }
  const placeholder = !option || option.name.includes('<')
  const save = useMutation(
    trpc.config.set.mutationOptions({
      onSuccess: (r) => {
        void qc.invalidateQueries({ queryKey: trpc.config.pathKey() })
        void qc.invalidateQueries({ queryKey: trpc.audit.pathKey() })
        onSaved({ version: r.version, restartNeeded: r.restartNeeded, option: name })
      },
      onError: (err) => {
        setConfirming(false)
        const fe = formErrorsFrom(err, FIELDS)
        if (fe.code === 'CONFLICT') {
          setErrors({ fields: {}, form: [humanMessage(err)], code: fe.code })
          return
        }
        // the API keys config validation errors by option name: an unknown name belongs to the
        // name field (when the form has one), anything else to the value
        const fields = { ...fe.fields }
        const form: string[] = []
        for (const m of fe.form) {
          const [k, ...rest] = m.split(': ')
          if (k && rest.length && k.toLowerCase() === name.trim().toLowerCase()) {
            const msg = rest.join(': ')
            fields[placeholder && /unknown|no such|not a known/i.test(msg) ? 'name' : 'value'] = msg
          } else form.push(m)
        }
        if (!form.length && !Object.keys(fields).length) form.push('The change was refused.')
        setErrors({ fields, form, code: fe.code })
      },
    }),
  )

  const submit = (confirmRestricted: boolean) => {
    setErrors(noErrors)
    const localErrors: Record<string, string> = {}
    if (!name.trim()) localErrors.name = 'Enter the option name.'
    if (!remark.trim()) localErrors.remark = 'Say why (it is kept in the version history).'
    if (Object.keys(localErrors).length) {
      setErrors({ fields: localErrors, form: [] })
      return
    }
    if (option?.restricted && !confirmRestricted) {
      setConfirming(true)
      return
    }
    save.mutate({
      changes: [{ name: name.trim(), value: toApiValue(meta, text) }],
      remark: remark.trim(),
      baseVersion: baseVersion ?? 0,
      ...(confirmRestricted ? { confirmRestricted: true } : {}),
    })
  }

  const conflict = errors.code === 'CONFLICT'
  return (
    <Drawer
      open={open}
      onClose={onClose}
      busy={save.isPending}
      title={option ? <span className="font-mono text-base">{option.name}</span> : 'Set an option'}
      description={option?.description}
      footer={
        <>
          <Button onClick={onClose} disabled={save.isPending}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="option-form" loading={save.isPending} disabled={baseVersion === undefined}>
            Save
          </Button>
        </>
      }
    >
      <form
        id="option-form"
        className="flex flex-col gap-4"
        noValidate
        onSubmit={(e) => {
          e.preventDefault()
          submit(false)
        }}
      >
        {conflict ? (
          <Banner tone="warn" title="Someone else changed the configuration since you opened this">
            Nothing was saved ({errors.form.join(' ')}). Close this panel and open the option again to see the current value.
          </Banner>
        ) : (
          <FormErrorSummary errors={errors} idPrefix="opt-" fieldLabels={{ name: 'Option', value: 'Value', remark: 'Remark' }} />
        )}
        {option && (
          <div className="flex flex-wrap gap-2">
            <Badge>{option.type}</Badge>
            {option.restart ? <Badge tone="warn">restart: {option.restart}</Badge> : <Badge tone="ok">applies live</Badge>}
            {option.restricted && <Badge tone="danger">restricted</Badge>}
            {option.password && <Badge tone="info">password</Badge>}
          </div>
        )}
        {placeholder && (
          <TextField
            id="opt-name"
            label="Option"
            required
            className="font-mono"
            placeholder={option?.name ?? 'imap.port'}
            description={option ? 'Replace each <name> with the group it is for.' : 'The option’s unified name (as msconfig takes it).'}
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={errors.fields.name}
          />
        )}
        <OptionInput meta={meta} id="opt-value" value={text} onChange={setText} error={errors.fields.value} />
        {option && !option.password && (
          <dl className="grid grid-cols-[8rem_1fr] gap-x-3 gap-y-1 text-xs">
            <dt className="text-muted">Current</dt>
            <dd className="font-mono break-all">{showValue(option.value)}</dd>
            <dt className="text-muted">Default</dt>
            <dd className="font-mono break-all">{showValue(option.default)}</dd>
          </dl>
        )}
        <TextField
          id="opt-remark"
          label="Remark"
          required
          placeholder="Why this change (shown in the history)"
          value={remark}
          onChange={(e) => setRemark(e.target.value)}
          error={errors.fields.remark}
        />
        <p className="text-xs text-muted">
          Saving writes a new configuration version{baseVersion !== undefined ? ` after version ${baseVersion}` : ''}.
        </p>
      </form>
      {option?.restricted && (
      <ConfirmDialog
        open={confirming}
        title="Change a restricted option?"
        confirmLabel="Change it"
        busy={save.isPending}
        onClose={() => setConfirming(false)}
        onConfirm={() => submit(true)}
      >
        <span className="font-mono">{name}</span> is a restricted option: the product marks it RESTRICTED USAGE
        OPTION because a wrong value can stop mail. Change it only if you know why it is needed.
      </ConfirmDialog>
      )}
    </Drawer>
  )
}
