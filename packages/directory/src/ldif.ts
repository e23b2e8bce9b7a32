// LDIF (RFC 2849) reader for bulk import: content records and change records (add, delete, modify).
export interface LdifRecord {
  /** 1-based number of the record in the file. */
  index: number
  /** Line where the record starts. */
  line: number
  dn: string
  changetype: 'add' | 'delete' | 'modify'
  /** Attribute values of an add (content) record; names as written. */
  attrs: Record<string, string[]>
  /** Modify operations of a modify record. */
  mods: Array<{ op: 'add' | 'replace' | 'delete'; attr: string; values: string[] }>
  /** A syntax problem found in this record (the record is reported, the others still run). */
  error?: string
}

function decodeValue(sep: string, raw: string): string {
  if (sep === '::') return Buffer.from(raw.trim(), 'base64').toString('utf8')
  if (sep === ':<') throw new Error('URL values (:<) are not supported')
  return raw.replace(/^ /, '')
}

export function parseLdif(text: string): LdifRecord[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  // Unfold continuation lines (RFC 2849: a line starting with one space continues the previous one).
  const logical: Array<{ text: string; line: number }> = []
  lines.forEach((l, i) => {
    if (l.startsWith(' ') && logical.length && logical[logical.length - 1]!.text !== '') logical[logical.length - 1]!.text += l.slice(1)
    else logical.push({ text: l, line: i + 1 })
  })
  const blocks: Array<Array<{ text: string; line: number }>> = []
  let cur: Array<{ text: string; line: number }> = []
  for (const l of logical) {
    if (l.text.startsWith('#')) continue
    if (l.text.trim() === '') { if (cur.length) blocks.push(cur); cur = []; continue }
    cur.push(l)
  }
  if (cur.length) blocks.push(cur)
  const out: LdifRecord[] = []
  for (const block of blocks) {
    if (out.length === 0 && block.length === 1 && /^version:\s*1$/i.test(block[0]!.text)) continue
    const lines2 = block[0] && /^version:/i.test(block[0].text) ? block.slice(1) : block
    const rec: LdifRecord = { index: out.length + 1, line: lines2[0]?.line ?? 0, dn: '', changetype: 'add', attrs: {}, mods: [] }
    out.push(rec)
    try {
      let mod: LdifRecord['mods'][number] | undefined
      for (const { text } of lines2) {
        if (text === '-') { mod = undefined; continue }
        const m = /^([A-Za-z0-9;.-]+)(::|:<|:)(.*)$/.exec(text)
        if (!m) throw new Error(`malformed line "${text.slice(0, 60)}"`)
        const [, name, sep, raw] = m as unknown as [string, string, string, string]
        const value = decodeValue(sep, raw)
        const lname = name.toLowerCase()
        if (lname === 'dn') { if (rec.dn) throw new Error('second dn: line'); rec.dn = value.trim(); continue }
        if (!rec.dn) throw new Error('record does not start with dn:')
        if (lname === 'changetype') {
          const ct = value.trim().toLowerCase()
          if (ct !== 'add' && ct !== 'delete' && ct !== 'modify') throw new Error(`unsupported changetype "${ct}"`)
          rec.changetype = ct
          continue
        }
        if (rec.changetype === 'modify') {
          if (!mod) {
            if (lname !== 'add' && lname !== 'replace' && lname !== 'delete') throw new Error(`expected add:/replace:/delete: in modify record, got "${name}"`)
            mod = { op: lname, attr: value.trim(), values: [] }
            rec.mods.push(mod)
            continue
          }
          if (lname !== mod.attr.toLowerCase()) throw new Error(`attribute ${name} inside a ${mod.op}: ${mod.attr} block`)
          mod.values.push(value)
          continue
        }
        if (rec.changetype === 'delete') throw new Error('a delete record has no attributes')
        ;(rec.attrs[name] ??= []).push(value)
      }
      if (!rec.dn) throw new Error('record has no dn:')
    } catch (err) {
      rec.error = (err as Error).message
    }
  }
  return out
}
