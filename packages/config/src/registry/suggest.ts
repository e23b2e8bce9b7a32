// Nearest option names for an unknown name (Levenshtein distance, case-insensitive).
export function editDistance(a: string, b: string): number {
  const m = a.length, n = b.length
  if (!m) return n
  if (!n) return m
  let prev = Array.from({ length: n + 1 }, (_, j) => j)
  for (let i = 1; i <= m; i++) {
    const cur = [i]
    for (let j = 1; j <= n; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return prev[n]!
}

/**
 * Up to `max` candidates closest to `name`: those within a distance that grows with the name's length,
 * or, when none is that close, simply the nearest ones (an unknown name always gets suggestions).
 */
export function nearest(name: string, candidates: Iterable<string>, max = 3): string[] {
  const target = name.toLowerCase()
  const limit = Math.max(3, Math.floor(target.length / 3))
  const scored: Array<{ c: string; d: number }> = []
  for (const c of new Set(candidates)) {
    const lc = c.toLowerCase()
    let d = editDistance(target, lc)
    // A name that is the tail of a candidate (`mm_debug` → `mta.mm_debug`) is close whatever its length.
    if (lc.endsWith('.' + target) || lc.endsWith(':' + target)) d = Math.min(d, 1)
    // Compare the last segments too: `nosuch.option` is near `….options` whatever its group.
    const tail = (s: string) => s.slice(s.lastIndexOf('.') + 1)
    d = Math.min(d, editDistance(tail(target), tail(lc)) + 2)
    scored.push({ c, d })
  }
  scored.sort((x, y) => x.d - y.d || x.c.length - y.c.length || x.c.localeCompare(y.c))
  const close = scored.filter((s) => s.d <= limit)
  return (close.length ? close : scored).slice(0, max).map((s) => s.c)
}
