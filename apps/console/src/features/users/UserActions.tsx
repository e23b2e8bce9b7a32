'use client'
// Account actions on the user page: password reset, status (enable / disable / hold), delete
// (marks deleted, as commadmin user delete) and purge (global admins; removes a deleted user).
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { Button } from '@/components/ui/Button'
import { ConfirmDialog } from '@/components/ui/ConfirmDialog'
import { TextField } from '@/components/ui/TextField'
import { useToast } from '@/components/ui/Toast'
import { humanMessage } from '@/lib/form-errors'
import { useSession } from '@/lib/session'
import { errorData, useTRPC } from '@/lib/trpc'

type Dialog = 'password' | 'delete' | 'purge' | 'disable' | null

export function UserActions({ uid, domain, status }: { uid: string; domain: string; status: string }) {
  const trpc = useTRPC()
  const qc = useQueryClient()
  const toast = useToast()
  const router = useRouter()
  const { isGlobal, canWriteDomain } = useSession()
  const [open, setOpen] = useState<Dialog>(null)
  const [password, setPassword] = useState('')
  const [pwError, setPwError] = useState<string>()
  const key = { uid, domain }
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: trpc.users.get.queryKey(key) })
    void qc.invalidateQueries({ queryKey: trpc.users.list.pathKey() })
  }

  const setPw = useMutation(
    trpc.users.setPassword.mutationOptions({
      onSuccess: () => {
        setOpen(null)
        setPassword('')
        toast.ok('Password changed')
        refresh()
      },
      onError: (err) => setPwError(errorData(err)?.fieldErrors?.password ?? humanMessage(err)),
    }),
  )
  const setStatus = useMutation(
    trpc.users.setStatus.mutationOptions({
      onSuccess: (_r, v) => {
        setOpen(null)
        toast.ok(`Status set to ${v.status}`)
        refresh()
      },
      onError: (err) => toast.error(humanMessage(err)),
    }),
  )
  const del = useMutation(
    trpc.users.delete.mutationOptions({
      onSuccess: () => {
        setOpen(null)
        toast.ok(`${uid}@${domain} marked deleted`)
        refresh()
      },
      onError: (err) => toast.error(humanMessage(err)),
    }),
  )
  const purge = useMutation(
    trpc.users.purge.mutationOptions({
      onSuccess: () => {
        setOpen(null)
        toast.ok(`${uid}@${domain} purged`)
        void qc.invalidateQueries({ queryKey: trpc.users.list.pathKey() })
        router.push('/users')
      },
      onError: (err) => toast.error(humanMessage(err)),
    }),
  )

  if (!canWriteDomain(domain)) return null
  const deleted = status === 'deleted' || status === 'removed'
  return (
    <>
      {!deleted && (
        <Button onClick={() => { setPwError(undefined); setOpen('password') }}>Reset password</Button>
      )}
      {!deleted &&
        (status === 'active' ? (
          <Button onClick={() => setOpen('disable')}>Disable</Button>
        ) : (
          <Button loading={setStatus.isPending} onClick={() => setStatus.mutate({ ...key, status: 'active' })}>
            Enable
          </Button>
        ))}
      {!deleted && (
        <Button variant="danger" onClick={() => setOpen('delete')}>
          Delete
        </Button>
      )}
      {deleted && isGlobal && (
        <Button variant="danger" onClick={() => setOpen('purge')}>
          Purge
        </Button>
      )}

      <ConfirmDialog
        open={open === 'password'}
        title={`New password for ${uid}@${domain}`}
        tone="primary"
        confirmLabel="Set password"
        busy={setPw.isPending}
        onClose={() => setOpen(null)}
        onConfirm={() => (password ? setPw.mutate({ ...key, password }) : setPwError('Enter a password'))}
      >
        <TextField
          label="New password"
          type="password"
          autoComplete="new-password"
          value={password}
          error={pwError}
          onChange={(e) => {
            setPassword(e.target.value)
            setPwError(undefined)
          }}
        />
      </ConfirmDialog>
      <ConfirmDialog
        open={open === 'disable'}
        title={`Disable ${uid}@${domain}?`}
        tone="primary"
        confirmLabel="Disable"
        busy={setStatus.isPending}
        onClose={() => setOpen(null)}
        onConfirm={() => setStatus.mutate({ ...key, status: 'disabled' })}
      >
        The user can no longer sign in and mail to the account is refused. Enable it again at any time.
      </ConfirmDialog>
      <ConfirmDialog
        open={open === 'delete'}
        title={`Delete ${uid}@${domain}?`}
        busy={del.isPending}
        onClose={() => setOpen(null)}
        onConfirm={() => del.mutate(key)}
      >
        The user is marked deleted (inetUserStatus: deleted): sign-in and delivery stop at once. A global
        administrator can purge the entry and its mailbox afterwards.
      </ConfirmDialog>
      <ConfirmDialog
        open={open === 'purge'}
        title={`Purge ${uid}@${domain}?`}
        confirmLabel="Purge"
        confirmText={uid}
        busy={purge.isPending}
        onClose={() => setOpen(null)}
        onConfirm={() => purge.mutate(key)}
      >
        Removes the directory entry for good. This cannot be undone.
      </ConfirmDialog>
    </>
  )
}
