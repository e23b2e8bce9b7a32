'use client'
// The console's tRPC 11 client. Only TYPES come from @wren/api (the router runs in the daemon);
// requests go to the console's own origin under /trpc, which next.config.ts rewrites to the
// daemon's admin API. Queries travel in streamed batches (httpBatchStreamLink: each answer is
// used as soon as it arrives, so a slow query in the batch doesn't hold up the table), mutations in
// plain batches (their Set-Cookie headers - auth.signIn/signOut - must not be lost to a response
// already streaming), subscriptions as Server-Sent Events (httpSubscriptionLink) through the same
// origin - a WebSocket straight to the daemon would be cross-origin and would not carry the
// SameSite=Strict session cookie.
import { createTRPCClient, httpBatchLink, httpBatchStreamLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client'
import { createTRPCContext } from '@trpc/tanstack-react-query'
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server'
import type { AppRouter } from '@wren/api'

export type { AppRouter }
export type RouterInputs = inferRouterInputs<AppRouter>
export type RouterOutputs = inferRouterOutputs<AppRouter>

/** Typed hooks: `const trpc = useTRPC()` then `useQuery(trpc.users.list.queryOptions(input))`. */
export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>()

// The session's CSRF token (from auth.me / auth.signIn). Every mutation sends it as x-csrf-token;
// the server rejects mutations without it. Kept in module state because links are created once.
let csrfToken: string | undefined
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token
}

const TRPC_PATH = '/trpc'

export function makeTrpcClient() {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url: TRPC_PATH }),
        false: splitLink({
          condition: (op) => op.type === 'query',
          true: httpBatchStreamLink({ url: TRPC_PATH, maxItems: 10 }),
          false: httpBatchLink({
            url: TRPC_PATH,
            maxItems: 10,
            headers: () => (csrfToken ? { 'x-csrf-token': csrfToken } : {}),
          }),
        }),
      }),
    ],
  })
}

export type TrpcClient = ReturnType<typeof makeTrpcClient>

/** The error shape the API's error formatter produces (see packages/api). */
export interface ApiErrorData {
  code?: string
  httpStatus?: number
  fieldErrors?: Record<string, string>
}

export function errorData(err: unknown): ApiErrorData | undefined {
  if (err instanceof TRPCClientError) return (err.data ?? undefined) as ApiErrorData | undefined
  return undefined
}

export function errorCode(err: unknown): string | undefined {
  return errorData(err)?.code
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
