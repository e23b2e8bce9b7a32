// A small HTTP router: a table of `METHOD /path` handlers plus prefix mounts, so the console's
// tRPC handler can later be mounted beside the control routes on the same server.
import type { IncomingMessage, ServerResponse } from 'node:http'

export interface RouteContext {
  req: IncomingMessage
  body: unknown
  /** Set by the auth guard. */
  remoteAddress: string
}

export type RouteResult = { status?: number; json: unknown; after?: () => void }
export type RouteHandler = (ctx: RouteContext) => Promise<RouteResult> | RouteResult
export type RawHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

const MAX_BODY = 1024 * 1024

export class Router {
  private readonly routes = new Map<string, RouteHandler>()
  private readonly mounts: Array<{ prefix: string; handler: RawHandler }> = []

  route(method: 'GET' | 'POST', path: string, handler: RouteHandler): this {
    this.routes.set(`${method} ${path}`, handler)
    return this
  }

  /** Hands every request under `prefix` to `handler` (e.g. `/trpc` for the console API). */
  mount(prefix: string, handler: RawHandler): this {
    this.mounts.push({ prefix, handler })
    return this
  }

  listRoutes(): string[] {
    return [...this.routes.keys()]
  }

  async handle(req: IncomingMessage, res: ServerResponse, guard: (req: IncomingMessage) => void): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const mount = this.mounts.find((m) => url.pathname === m.prefix || url.pathname.startsWith(m.prefix + '/'))
    if (mount) return mount.handler(req, res)
    const handler = this.routes.get(`${req.method} ${url.pathname}`)
    try {
      if (!handler) {
        const known = [...this.routes.keys()].some((k) => k.endsWith(` ${url.pathname}`))
        throw new HttpError(known ? 405 : 404, known ? 'method not allowed' : 'not found')
      }
      guard(req)
      const body = req.method === 'POST' ? await readJson(req) : undefined
      const result = await handler({ req, body, remoteAddress: req.socket.remoteAddress ?? '' })
      send(res, result.status ?? 200, result.json)
      if (result.after) res.once('finish', result.after)
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500
      send(res, status, { error: err instanceof Error ? err.message : String(err) })
    }
  }
}

function send(res: ServerResponse, status: number, json: unknown): void {
  const text = JSON.stringify(json)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' })
  res.end(text)
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw new HttpError(413, 'request body too large')
    chunks.push(chunk as Buffer)
  }
  if (!size) return {}
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new HttpError(400, 'request body is not JSON')
  }
}
