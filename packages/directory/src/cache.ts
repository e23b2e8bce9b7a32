// A small TTL cache with LRU eviction (Map insertion order), for directory lookups:
// "fast and cached with a short TTL" (issue 3). Values may be promises, so concurrent misses share one lookup.
export class TtlCache<V> {
  private readonly map = new Map<string, { value: V; expires: number }>()
  hits = 0
  misses = 0
  constructor(private readonly ttlMs: number, private readonly maxEntries: number, private readonly now: () => number = Date.now) {}

  get(key: string): V | undefined {
    const e = this.map.get(key)
    if (!e) { this.misses++; return undefined }
    if (e.expires <= this.now()) { this.map.delete(key); this.misses++; return undefined }
    this.hits++
    return e.value
  }

  /** Stores a value for the cache's TTL, or for `ttlMs` when shorter (negative answers). */
  set(key: string, value: V, ttlMs = this.ttlMs): void {
    if (this.ttlMs <= 0) return
    this.map.delete(key)
    this.map.set(key, { value, expires: this.now() + Math.min(ttlMs, this.ttlMs) })
    if (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next().value
      if (oldest !== undefined) this.map.delete(oldest)
    }
  }

  delete(key: string): void {
    this.map.delete(key)
  }

  clear(): void {
    this.map.clear()
  }

  get size(): number {
    return this.map.size
  }
}
