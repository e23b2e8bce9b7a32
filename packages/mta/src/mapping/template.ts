// Mapping-table templates (spec 01 §12 "Template codes"; Messaging Server Reference "Mapping
// template substitutions and metacharacters").
//
//   $0–$9            saved wildcard values
//   $|TABLE;probe|   nested lookup: the other table's output is substituted; if it does not match
//                    or answers $N the whole entry fails and matching goes on with the next entry
//   $[lib,routine,args…]  callout (registry in callouts.ts): success substitutes its string,
//                    failure makes the entry fail
//   $:X / $;X        entry applies only if input flag X is set / clear
//   $C $E $R         continue with the output as new probe / end / restart the table
//   $Y $N $F         accept / reject / reject (synonym)
//   $X<code>|        enhanced status code; other upper-case letters are recorded as flags
//                    ($H hold, $B bitbucket, $J, $K, …) for the caller to act on
//   $= … $_          quote substituted material for an LDAP URL / search filter
//   $\ $^ $_         force lower case / upper case / original case
//   $$ $space $* $% $|  literal characters
import { findCallout } from './callouts.js'

export type TemplateToken =
  | { t: 'text'; s: string }
  | { t: 'cap'; n: number }
  | { t: 'flag'; f: string }
  | { t: 'test'; flag: string; set: boolean }
  | { t: 'mode'; m: 'quote' | 'reset' | 'lower' | 'upper' }
  | { t: 'nested'; table: string; probe: TemplateToken[] }
  | { t: 'callout'; args: TemplateToken[][] }

export class TemplateError extends Error {}

/** Find the index of `close` at nesting level 0, skipping `$x` pairs. */
function findUnquoted(s: string, from: number, close: string): number {
  for (let i = from; i < s.length; i++) {
    if (s[i] === '$') { i++; continue }
    if (s[i] === close) return i
  }
  return -1
}

function splitUnquoted(s: string, sep: string): string[] {
  const out: string[] = []
  let start = 0
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '$') { i++; continue }
    if (s[i] === sep) { out.push(s.slice(start, i)); start = i + 1 }
  }
  out.push(s.slice(start))
  return out
}

export function compileTemplate(src: string): TemplateToken[] {
  const out: TemplateToken[] = []
  let text = ''
  const flush = () => { if (text) out.push({ t: 'text', s: text }); text = '' }
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!
    if (c !== '$') { text += c; continue }
    const n = src[++i]
    if (n === undefined) throw new TemplateError(`dangling $ in template "${src}"`)
    if (n >= '0' && n <= '9') { flush(); out.push({ t: 'cap', n: Number(n) }); continue }
    if (n === ':' || n === ';') {
      const f = src[++i]
      if (!f) throw new TemplateError(`missing flag after $${n}`)
      flush(); out.push({ t: 'test', flag: f.toUpperCase(), set: n === ':' }); continue
    }
    if (n === '=') { flush(); out.push({ t: 'mode', m: 'quote' }); continue }
    if (n === '_') { flush(); out.push({ t: 'mode', m: 'reset' }); continue }
    if (n === '\\') { flush(); out.push({ t: 'mode', m: 'lower' }); continue }
    if (n === '^') { flush(); out.push({ t: 'mode', m: 'upper' }); continue }
    if (n === '|') {
      const end = findUnquoted(src, i + 1, '|')
      if (end < 0) throw new TemplateError(`unterminated $| in template "${src}"`)
      const body = src.slice(i + 1, end)
      const semi = findUnquoted(body, 0, ';')
      if (semi < 0) throw new TemplateError(`nested lookup "$|${body}|" needs TABLE;probe`)
      flush()
      out.push({ t: 'nested', table: body.slice(0, semi).trim(), probe: compileTemplate(body.slice(semi + 1)) })
      i = end
      continue
    }
    if (n === '[') {
      const end = findUnquoted(src, i + 1, ']')
      if (end < 0) throw new TemplateError(`unterminated $[ in template "${src}"`)
      const args = splitUnquoted(src.slice(i + 1, end), ',')
      if (args.length < 2) throw new TemplateError(`callout "$[${src.slice(i + 1, end)}]" needs library,routine`)
      flush()
      out.push({ t: 'callout', args: args.map((a) => compileTemplate(a)) })
      i = end
      continue
    }
    if (n >= 'A' && n <= 'Z') { flush(); out.push({ t: 'flag', f: n }); continue }
    // $$ $space $* $% and any other quoted character: the character itself.
    text += n
  }
  flush()
  return out
}

/** RFC 4515 §3 filter escaping, then RFC 4516 URL percent-encoding (`$=` quoting). */
export function ldapQuote(v: string): string {
  const filter = v.replace(/[\\*()\0]/g, (c) => '\\' + c.charCodeAt(0).toString(16).padStart(2, '0'))
  return encodeURIComponent(filter).replace(/%40/g, '@').replace(/%2B/gi, '+')
}

export interface TemplateEnv {
  caps: string[]
  flags: ReadonlySet<string>
  table: string
  probe: string
  /** Nested lookup: resolves to the output string, or undefined when the entry must fail. */
  nested(table: string, probe: string): Promise<string | undefined>
}

export interface TemplateOutcome {
  output: string
  flags: Set<string>
}

/** Evaluate; undefined = the entry fails (flag test, nested lookup or callout failed). */
export async function evaluateTemplate(tokens: TemplateToken[], env: TemplateEnv): Promise<TemplateOutcome | undefined> {
  const flags = new Set<string>()
  const output = await evalTokens(tokens, env, flags)
  return output === undefined ? undefined : { output, flags }
}

async function evalTokens(tokens: TemplateToken[], env: TemplateEnv, flags: Set<string>): Promise<string | undefined> {
  let out = ''
  let quote = false
  let kase: 'none' | 'lower' | 'upper' = 'none'
  const emit = (s: string, substituted: boolean) => {
    let v = substituted && quote ? ldapQuote(s) : s
    if (kase === 'lower') v = v.toLowerCase()
    else if (kase === 'upper') v = v.toUpperCase()
    out += v
  }
  for (const tok of tokens) {
    switch (tok.t) {
      case 'text': emit(tok.s, false); break
      case 'cap': emit(env.caps[tok.n] ?? '', true); break
      case 'flag': flags.add(tok.f); break
      case 'mode':
        if (tok.m === 'quote') quote = true
        else if (tok.m === 'lower') kase = 'lower'
        else if (tok.m === 'upper') kase = 'upper'
        else { quote = false; kase = 'none' }
        break
      case 'test':
        if (env.flags.has(tok.flag) !== tok.set) return undefined
        break
      case 'nested': {
        const probe = await evalTokens(tok.probe, env, new Set())
        if (probe === undefined) return undefined
        const r = await env.nested(tok.table, probe)
        if (r === undefined) return undefined
        emit(r, true)
        break
      }
      case 'callout': {
        const args: string[] = []
        for (const a of tok.args) {
          const v = await evalTokens(a, env, new Set())
          if (v === undefined) return undefined
          args.push(v)
        }
        const [library = '', routine = '', ...rest] = args
        const fn = findCallout(library)
        if (!fn) return undefined // an unknown library fails like a failing routine
        let r
        try {
          r = await fn(routine.trim(), rest, { library, routine: routine.trim(), table: env.table, probe: env.probe, flags: env.flags })
        } catch {
          return undefined // a throwing routine fails the entry (fail open, spec 01 §17)
        }
        if (!r.ok) return undefined
        emit(r.value ?? '', true)
        break
      }
    }
  }
  return out
}
