// Failed sign-ins are limited per client address and per user name (contract: e.g. 5 failures in
// 5 minutes → TOO_MANY_REQUESTS). Options `admin.maxloginfailures` / `admin.loginfailurewindow`.
import type { ApiDeps } from './context.js'

export class LoginLimiter {
  private readonly failures = new Map<string, number[]>()

  constructor(private readonly deps: Pick<ApiDeps, 'view' | 'now'>) {}

  private settings(): { max: number; windowMs: number } {
    const v = this.deps.view()
    const max = Number(v.find('admin.maxloginfailures') ?? 5)
    const win = Number(v.find('admin.loginfailurewindow') ?? 300)
    return { max: Number.isFinite(max) && max > 0 ? max : 5, windowMs: (Number.isFinite(win) && win > 0 ? win : 300) * 1000 }
  }

  private now(): number {
    return this.deps.now ? this.deps.now() : Date.now()
  }

  private recent(key: string, windowMs: number): number[] {
    const cutoff = this.now() - windowMs
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff)
    if (list.length) this.failures.set(key, list)
    else this.failures.delete(key)
    return list
  }

  private keys(ip: string, username: string): string[] {
    return [`ip:${ip}`, `user:${username.trim().toLowerCase()}`]
  }

  /** Seconds until another attempt is allowed, or 0 when allowed now. */
  blockedFor(ip: string, username: string): number {
    const { max, windowMs } = this.settings()
    let wait = 0
    for (const k of this.keys(ip, username)) {
      const list = this.recent(k, windowMs)
      if (list.length >= max) wait = Math.max(wait, Math.ceil((list[list.length - max]! + windowMs - this.now()) / 1000))
    }
    return wait
  }

  fail(ip: string, username: string): void {
    const t = this.now()
    for (const k of this.keys(ip, username)) this.failures.set(k, [...(this.failures.get(k) ?? []), t])
    if (this.failures.size > 10_000) this.prune()
  }

  succeed(ip: string, username: string): void {
    this.failures.delete(`user:${username.trim().toLowerCase()}`)
    void ip
  }

  private prune(): void {
    const { windowMs } = this.settings()
    for (const k of [...this.failures.keys()]) this.recent(k, windowMs)
  }
}
