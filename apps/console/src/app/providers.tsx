'use client'
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { usePathname, useRouter } from 'next/navigation'
import { useRef, useState, type ReactNode } from 'react'
import { ToastProvider } from '@/components/ui/Toast'
import { errorCode, makeTrpcClient, TRPCProvider } from '@/lib/trpc'

/**
 * App-wide providers: TanStack Query, the typed tRPC context and toasts. Any query or mutation that
 * fails with UNAUTHORIZED (session expired, signed out elsewhere) sends the browser to the sign-in
 * page and back to where it was afterwards.
 */
export function Providers({ children }: { children: ReactNode }) {
  const router = useRouter()
  const pathname = usePathname()
  const where = useRef({ router, pathname })
  where.current = { router, pathname }

  const [queryClient] = useState(() => {
    const onError = (err: unknown) => {
      if (errorCode(err) !== 'UNAUTHORIZED') return
      const { router: r, pathname: p } = where.current
      if (p.startsWith('/sign-in')) return
      r.replace(`/sign-in?next=${encodeURIComponent(p)}`)
    }
    return new QueryClient({
      queryCache: new QueryCache({ onError }),
      mutationCache: new MutationCache({ onError }),
      defaultOptions: {
        queries: {
          staleTime: 5_000,
          refetchOnWindowFocus: false,
          // Authorization and validation failures never fix themselves: don't retry them.
          retry: (count, err) => {
            const code = errorCode(err)
            if (code && ['UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_REQUEST', 'CONFLICT'].includes(code)) return false
            return count < 2
          },
        },
        mutations: { retry: false },
      },
    })
  })
  const [trpcClient] = useState(() => makeTrpcClient())

  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <ToastProvider>{children}</ToastProvider>
      </TRPCProvider>
    </QueryClientProvider>
  )
}
