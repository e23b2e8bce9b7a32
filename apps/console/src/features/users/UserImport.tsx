'use client'
// Bulk import (CSV or LDIF) through users.import: a dry run first shows the per-row report, then
// the real import. The same parsers as the `commadmin`-style CLI import (packages/directory).
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState, type ChangeEvent } from 'react'
import { Badge } from '@/components/ui/Badge'
import { Button } from '@/components/ui/Button'
import { FormErrorSummary } from '@/components/ui/FormErrorSummary'
import { LinkButton } from '@/components/ui/LinkButton'
import { PageHeader } from '@/components/ui/PageHeader'
import { Select } from '@/components/ui/Select'
import { TextArea } from '@/components/ui/TextField'
import { useToast } from '@/components/ui/Toast'
import { useFormErrors } from '@/lib/form-errors'
import { useTRPC, type RouterOutputs } from '@/lib/trpc'
import { useDomainOptions } from './useDomainOptions'

type Report = RouterOutputs['users']['import']

const CSV_EXAMPLE = 'uid,cn,password,mail,mailQuota\njdoe,John Doe,secret1,jdoe@example.com,100M'

export function UserImport() {
  const trpc = useTRPC()
  const qc = useQueryClient()
  const toast = useToast()
  const domains = useDomainOptions()
  const [format, setFormat] = useState<'csv' | 'ldif'>('csv')
  const [domain, setDomain] = useState('')
  const [text, setText] = useState('')
  const [report, setReport] = useState<{ dry: boolean; r: Report } | null>(null)
  const fe = useFormErrors(['text', 'format', 'domain'])

  const run = useMutation(
    trpc.users.import.mutationOptions({
      onSuccess: (r, v) => {
        setReport({ dry: Boolean(v.dryRun), r })
        if (!v.dryRun) {
          void qc.invalidateQueries({ queryKey: trpc.users.pathKey() })
          toast.ok(`Imported: ${r.created} created, ${r.failed} failed`)
        }
      },
      onError: fe.fromError,
    }),
  )
  const go = (dryRun: boolean) => {
    fe.clear()
    run.mutate({ format, text, domain: domain || undefined, dryRun })
  }
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0]
    if (!file) return
    setText(await file.text())
    if (/\.ldif$/i.test(file.name)) setFormat('ldif')
    else if (/\.csv$/i.test(file.name)) setFormat('csv')
    setReport(null)
  }

  return (
    <>
      <PageHeader
        title="Import users"
        crumbs={<a href="/users" className="hover:underline">Users</a>}
        description="CSV with a header row (uid, cn, password, mail, mailQuota, … any attribute) or LDIF entries. Try a dry run first."
      />
      <div className="flex flex-col gap-4">
        <FormErrorSummary errors={fe.errors} title="The import did not run" />
        <div className="card grid gap-4 p-5 sm:grid-cols-3">
          <Select
            label="Format"
            value={format}
            onChange={(e) => setFormat(e.target.value as 'csv' | 'ldif')}
            options={[
              { value: 'csv', label: 'CSV' },
              { value: 'ldif', label: 'LDIF' },
            ]}
          />
          <Select
            label="Domain"
            value={domain}
            error={fe.errors.fields.domain}
            onChange={(e) => setDomain(e.target.value)}
            options={[{ value: '', label: 'From each row / default domain' }, ...domains.names.map((d) => ({ value: d, label: d }))]}
          />
          <div className="flex flex-col gap-1">
            <label htmlFor="import-file" className="text-xs font-medium">
              File
            </label>
            <input id="import-file" type="file" accept=".csv,.ldif,.txt,text/csv" onChange={(e) => void onFile(e)} className="text-sm file:mr-3 file:rounded-ctl file:border file:border-line-strong file:bg-surface file:px-3 file:py-1.5" />
          </div>
          <TextArea
            id="text"
            label="Entries"
            rows={12}
            value={text}
            error={fe.errors.fields.text}
            placeholder={format === 'csv' ? CSV_EXAMPLE : 'dn: uid=jdoe,ou=People,o=example.com\nuid: jdoe\ncn: John Doe\n…'}
            onChange={(e) => {
              setText(e.target.value)
              setReport(null)
            }}
            wrapperClassName="sm:col-span-3"
          />
          <div className="flex gap-2 sm:col-span-3">
            <Button onClick={() => go(true)} loading={run.isPending && run.variables?.dryRun} disabled={!text.trim() || run.isPending}>
              Dry run
            </Button>
            <Button variant="primary" onClick={() => go(false)} loading={run.isPending && !run.variables?.dryRun} disabled={!text.trim() || run.isPending}>
              Import
            </Button>
            <LinkButton href="/users">Back to users</LinkButton>
          </div>
        </div>
        {report && <ImportReport dry={report.dry} report={report.r} />}
      </div>
    </>
  )
}

function ImportReport({ dry, report }: { dry: boolean; report: Report }) {
  return (
    <section className="card" aria-labelledby="import-report">
      <div className="flex flex-wrap items-center gap-3 border-b border-line p-3">
        <h2 id="import-report" className="text-lg font-semibold">
          {dry ? 'Dry run report' : 'Import report'}
        </h2>
        <Badge tone="ok">{report.created} {dry ? 'would be created' : 'created'}</Badge>
        <Badge tone={report.failed ? 'danger' : 'neutral'}>{report.failed} failed</Badge>
      </div>
      <div className="max-h-96 overflow-auto">
        <table className="w-full text-left text-sm" aria-label="Per-row result">
          <thead>
            <tr>
              {['Line', 'Entry', 'Result'].map((h) => (
                <th key={h} scope="col" className="sticky top-0 border-b border-line bg-subtle px-3 py-2 text-xs font-semibold text-muted">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {report.rows.map((r, i) => (
              <tr key={`${r.line}-${i}`}>
                <td className="border-b border-line px-3 py-1.5 tabular-nums">{r.line}</td>
                <td className="border-b border-line px-3 py-1.5 font-mono text-xs">{r.key}</td>
                <td className="border-b border-line px-3 py-1.5">
                  {r.ok ? <Badge tone="ok">ok</Badge> : <span className="text-danger">{r.error ?? 'failed'}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}
