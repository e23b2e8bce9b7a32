'use client'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useRouter, useSearchParams } from 'next/navigation'
import { Suspense, useEffect, useState, type FormEvent } from 'react'
import { Button } from '@/components/ui/Button'
import { FormErrorSummary } from '@/components/ui/FormErrorSummary'
import { TextField } from '@/components/ui/TextField'
import { useFormErrors } from '@/lib/form-errors'
import { rememberMe, type Me } from '@/lib/session'
import { errorCode, setCsrfToken, useTRPC } from '@/lib/trpc'

/** Only same-site paths: never redirect to another origin after sign-in. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-in') ? next : '/'
}

function SignInForm() {
  const trpc = useTRPC()
  const qc = useQueryClient()
  const router = useRouter()
  const params = useSearchParams()
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const fe = useFormErrors(['username', 'password'])

  // Already signed in (e.g. the sign-in page bookmarked): straight on.
  const me = useQuery({ ...trpc.auth.me.queryOptions(), staleTime: 0 })
  useEffect(() => {
    if (me.data) router.replace(safeNext(params.get('next')))
  }, [me.data, params, router])

  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      onSuccess: (me) => {
        setCsrfToken((me as Me).csrfToken)
        rememberMe(me as Me)
        qc.setQueryData(trpc.auth.me.queryKey(), me)
        router.replace(safeNext(params.get('next')))
      },
      onError: (err) => {
        if (errorCode(err) === 'UNAUTHORIZED') fe.setErrors({ fields: {}, form: ['Wrong username or password.'] })
        else if (errorCode(err) === 'TOO_MANY_REQUESTS') fe.setErrors({ fields: {}, form: ['Too many failed sign-ins. Wait a few minutes and try again.'] })
        else fe.fromError(err)
      },
    }),
  )

  const submit = (e: FormEvent) => {
    e.preventDefault()
    fe.clear()
    signIn.mutate({ username: username.trim(), password })
  }

  return (
    <form onSubmit={submit} className="card flex w-full max-w-sm flex-col gap-4 p-6" noValidate>
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Sign in</h1>
        <p className="mt-1 text-sm text-muted">Wren messaging server console</p>
      </div>
      <FormErrorSummary errors={fe.errors} title="Could not sign in" />
      <TextField
        label="Username"
        name="username"
        autoComplete="username"
        autoFocus
        required
        value={username}
        error={fe.errors.fields.username}
        onChange={(e) => setUsername(e.target.value)}
        description="An administrator name, or your directory uid / mail address"
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        error={fe.errors.fields.password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <Button type="submit" variant="primary" loading={signIn.isPending} disabled={!username || !password}>
        Sign in
      </Button>
    </form>
  )
}

export default function SignInPage() {
  return (
    <main className="grid min-h-screen place-items-center bg-canvas px-4">
      <Suspense>
        <SignInForm />
      </Suspense>
    </main>
  )
}
