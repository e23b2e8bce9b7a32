// Mapping-table patterns (spec 01 §12 "Pattern codes"; Admin Guide Table 10-3; Messaging Server
// Reference "Mapping pattern wildcards"). Matching is case-insensitive and anchored at both ends.
//
//   *            zero or more characters (greedy), saved as $n
//   %            exactly one character, saved
//   $_           next wildcard is non-greedy (minimal)
//   $@ / $^      do not save / save (default) the next wildcard; at most 10 are saved ($0–$9)
//   $D* $D%      decimal digits (run / one); likewise $H hex, $X hex, $O octal, $B binary,
//                $A alphabetic, $S symbol set [0-9A-Za-z_$], $T space/tab
//   $[chars]     one character of the set (ranges a-z, `\-` literal hyphen, `\]` literal bracket);
//                Table 10-3: "Matches an occurrence of any one of the specified characters"
//   $(ip/bits)   an IPv4 or IPv6 address inside that subnet (INTERNAL_IP: `$(192.45.67.0/24)`)
//   $:X / $;X    match only if input flag X is set / clear (consumes nothing)
//   $$ $* $% $| $space  literal characters
import { isIP } from 'node:net'

type CharTest = (c: string) => boolean

export type PatternToken =
  | { t: 'lit'; s: string }
  | { t: 'wild'; test: CharTest | null; many: boolean; lazy: boolean; save: boolean }
  | { t: 'ip'; net: Subnet; save: boolean }
  | { t: 'flag'; flag: string; set: boolean }

export interface CompiledPattern {
  source: string
  tokens: PatternToken[]
}

export interface Subnet {
  family: 4 | 6
  base: bigint
  bits: number
}

const CLASS_TESTS: Record<string, CharTest> = {
  D: (c) => c >= '0' && c <= '9',
  H: (c) => /[0-9a-f]/i.test(c),
  X: (c) => /[0-9a-f]/i.test(c),
  O: (c) => c >= '0' && c <= '7',
  B: (c) => c === '0' || c === '1',
  A: (c) => /[a-z]/i.test(c),
  S: (c) => /[0-9a-z_$]/i.test(c),
  T: (c) => c === ' ' || c === '\t' || c === '\v',
}

export class PatternError extends Error {}

/** Compile a mapping pattern; throws PatternError on malformed input. */
export function compilePattern(source: string): CompiledPattern {
  const tokens: PatternToken[] = []
  let lit = ''
  let lazy = false
  let save = true
  const flushLit = () => {
    if (lit) tokens.push({ t: 'lit', s: lit.toLowerCase() })
    lit = ''
  }
  const pushWild = (test: CharTest | null, many: boolean) => {
    flushLit()
    tokens.push({ t: 'wild', test, many, lazy, save })
    lazy = false
    save = true
  }
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!
    if (c === '*') { pushWild(null, true); continue }
    if (c === '%') { pushWild(null, false); continue }
    if (c !== '$') { lit += c; continue }
    const n = source[++i]
    if (n === undefined) throw new PatternError(`dangling $ in pattern "${source}"`)
    if (n === '_') { lazy = true; continue }
    if (n === '@') { save = false; continue }
    if (n === '^') { save = true; continue }
    if (n === ':' || n === ';') {
      const f = source[++i]
      if (!f) throw new PatternError(`missing flag after $${n}`)
      flushLit()
      tokens.push({ t: 'flag', flag: f.toUpperCase(), set: n === ':' })
      continue
    }
    const cls = CLASS_TESTS[n.toUpperCase()]
    if (cls && (source[i + 1] === '*' || source[i + 1] === '%')) {
      pushWild(cls, source[++i] === '*')
      continue
    }
    if (n === '[') {
      const end = findClose(source, i + 1, ']')
      if (end < 0) throw new PatternError(`unterminated $[ in pattern "${source}"`)
      pushWild(charClass(source.slice(i + 1, end)), false)
      i = end
      continue
    }
    if (n === '(') {
      const end = source.indexOf(')', i + 1)
      if (end < 0) throw new PatternError(`unterminated $( in pattern "${source}"`)
      flushLit()
      tokens.push({ t: 'ip', net: parseSubnet(source.slice(i + 1, end).trim()), save })
      save = true
      lazy = false
      i = end
      continue
    }
    // $$ $* $% $| $space and any other quoted character stand for themselves.
    lit += n
  }
  flushLit()
  return { source, tokens }
}

function findClose(s: string, from: number, close: string): number {
  for (let i = from; i < s.length; i++) {
    if (s[i] === '\\') { i++; continue }
    if (s[i] === close) return i
  }
  return -1
}

function charClass(body: string): CharTest {
  const singles = new Set<string>()
  const ranges: Array<[string, string]> = []
  const chars: string[] = []
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\' && i + 1 < body.length) { chars.push('\\' + body[++i]); continue }
    chars.push(body[i]!)
  }
  for (let i = 0; i < chars.length; i++) {
    const a = chars[i]!
    const lit = a.length === 2 ? a[1]! : a
    if (a.length === 1 && chars[i + 1] === '-' && i + 2 < chars.length) {
      const b = chars[i + 2]!
      ranges.push([lit.toLowerCase(), (b.length === 2 ? b[1]! : b).toLowerCase()])
      i += 2
      continue
    }
    singles.add(lit.toLowerCase())
  }
  return (c) => {
    const l = c.toLowerCase()
    if (singles.has(l)) return true
    return ranges.some(([lo, hi]) => l >= lo && l <= hi)
  }
}

/** Parse `a.b.c.d/nn`, `a.b.c.d` (= /32), `v6::/nn`. */
export function parseSubnet(text: string): Subnet {
  const [addr = '', bitsText] = text.split('/')
  const ip = ipToBigInt(addr)
  if (!ip) throw new PatternError(`bad IP subnet "${text}"`)
  const max = ip.family === 4 ? 32 : 128
  const bits = bitsText === undefined ? max : Number(bitsText)
  if (!Number.isInteger(bits) || bits < 0 || bits > max) throw new PatternError(`bad prefix length in "${text}"`)
  return { family: ip.family, base: mask(ip.value, bits, max), bits }
}

function mask(v: bigint, bits: number, max: number): bigint {
  if (bits === 0) return 0n
  const shift = BigInt(max - bits)
  return (v >> shift) << shift
}

/** IPv4 / IPv6 text → integer; IPv4-mapped IPv6 (`::ffff:1.2.3.4`) answers as IPv4. */
export function ipToBigInt(text: string): { family: 4 | 6; value: bigint } | undefined {
  // Every connection's probes test the same client address against each subnet pattern of
  // PORT_ACCESS / INTERNAL_IP: the last few conversions are kept (BigInt arithmetic is slow).
  const hit = ipCache.get(text)
  if (hit !== undefined) return hit ?? undefined
  const v = ipToBigIntUncached(text)
  if (ipCache.size >= 256) ipCache.clear()
  ipCache.set(text, v ?? null)
  return v
}

const ipCache = new Map<string, { family: 4 | 6; value: bigint } | null>()

function ipToBigIntUncached(text: string): { family: 4 | 6; value: bigint } | undefined {
  let s = text.trim()
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1)
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s)
  if (mapped) s = mapped[1]!
  const fam = isIP(s)
  if (fam === 4) {
    const v = s.split('.').reduce((acc, p) => (acc << 8n) + BigInt(Number(p)), 0n)
    return { family: 4, value: v }
  }
  if (fam === 6) {
    let head = s
    let tailV4: number[] = []
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s)
    if (v4) {
      tailV4 = v4[1]!.split('.').map(Number)
      head = s.slice(0, -v4[1]!.length) + '0:0'
    }
    const [l = '', r] = head.split('::')
    const left = l ? l.split(':') : []
    const right = r !== undefined && r !== '' ? r.split(':') : []
    const fill = r !== undefined ? 8 - left.length - right.length : 0
    const groups = [...left, ...Array(fill).fill('0'), ...right]
    let v = groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n)
    if (tailV4.length) v = (v & ~0xffffffffn) | BigInt(((tailV4[0]! << 24) >>> 0) + (tailV4[1]! << 16) + (tailV4[2]! << 8) + tailV4[3]!)
    return { family: 6, value: v }
  }
  return undefined
}

export function ipInSubnet(ip: string, net: Subnet): boolean {
  const v = ipToBigInt(ip)
  if (!v || v.family !== net.family) return false
  return mask(v.value, net.bits, net.family === 4 ? 32 : 128) === net.base
}

const IP_CHAR = /[0-9a-f.:[\]]/i

/**
 * Match a compiled pattern against the whole input. Returns the saved wildcard values ($0…$9,
 * original case) or undefined. Failure states are memoised, so the worst case stays polynomial.
 */
export function matchCompiled(p: CompiledPattern, input: string, flags: ReadonlySet<string> = new Set()): string[] | undefined {
  const lower = input.toLowerCase()
  const toks = p.tokens
  const n = input.length
  const failed = new Set<number>()
  const caps: string[] = []

  const go = (ti: number, pos: number): boolean => {
    if (ti === toks.length) return pos === n
    const key = ti * (n + 1) + pos
    if (failed.has(key)) return false
    const tok = toks[ti]!
    let ok = false
    switch (tok.t) {
      case 'lit':
        ok = lower.startsWith(tok.s, pos) && go(ti + 1, pos + tok.s.length)
        break
      case 'flag':
        ok = flags.has(tok.flag) === tok.set && go(ti + 1, pos)
        break
      case 'wild': {
        if (!tok.many) {
          if (pos < n && (!tok.test || tok.test(input[pos]!))) {
            if (tok.save) caps.push(input[pos]!)
            ok = go(ti + 1, pos + 1)
            if (!ok && tok.save) caps.pop()
          }
          break
        }
        let max = n
        if (tok.test) {
          max = pos
          while (max < n && tok.test(input[max]!)) max++
        }
        // When a literal follows, only positions where it occurs can succeed.
        const next = toks[ti + 1]
        const candidates: number[] = []
        if (next && next.t === 'lit') {
          for (let at = lower.indexOf(next.s, pos); at >= 0 && at <= max; at = lower.indexOf(next.s, at + 1)) candidates.push(at)
        } else {
          for (let e = pos; e <= max; e++) candidates.push(e)
        }
        if (!tok.lazy) candidates.reverse()
        for (const end of candidates) {
          if (tok.save) caps.push(input.slice(pos, end))
          if (go(ti + 1, end)) { ok = true; break }
          if (tok.save) caps.pop()
        }
        break
      }
      case 'ip': {
        let max = pos
        while (max < n && IP_CHAR.test(input[max]!)) max++
        // Only ends where the rest can match: the end of input, or where the next literal starts.
        const next = toks[ti + 1]
        const ends: number[] = []
        if (!next) { if (max === n) ends.push(n) }
        else if (next.t === 'lit') {
          for (let at = lower.indexOf(next.s, pos + 1); at >= 0 && at <= max; at = lower.indexOf(next.s, at + 1)) ends.unshift(at)
        } else for (let end = max; end > pos; end--) ends.push(end)
        for (const end of ends) {
          const text = input.slice(pos, end)
          if (!ipInSubnet(text, tok.net)) continue
          if (tok.save) caps.push(text)
          if (go(ti + 1, end)) { ok = true; break }
          if (tok.save) caps.pop()
        }
        break
      }
    }
    if (!ok) failed.add(key)
    return ok
  }
  if (!go(0, 0)) return undefined
  // "at most ten are saved" (Table 10-3)
  return caps.slice(0, 10)
}

/** Convenience: compile and match in one go. */
export function matchPattern(pattern: string, input: string, flags: Iterable<string> = []): string[] | undefined {
  return matchCompiled(compilePattern(pattern), input, new Set([...flags].map((f) => f.toUpperCase())))
}
