// Splits an msconfig command line into words: blanks separate, "…" and '…' quote (quotes may sit inside
// a word: -remark="two words"). Backslashes are kept literally (option values such as
// delivery_options contain `\$`), except `\"` inside double quotes.
export function tokenize(line: string): string[] {
  const out: string[] = []
  let cur = ''
  let inWord = false
  let quote: '"' | "'" | null = null
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (quote) {
      if (ch === quote) quote = null
      else if (ch === '\\' && quote === '"' && line[i + 1] === '"') { cur += '"'; i++ }
      else cur += ch
      continue
    }
    if (ch === '"' || ch === "'") { quote = ch; inWord = true; continue }
    if (/\s/.test(ch)) {
      if (inWord) { out.push(cur); cur = ''; inWord = false }
      continue
    }
    cur += ch
    inWord = true
  }
  if (quote) throw new Error(`unterminated ${quote === '"' ? 'double' : 'single'} quote`)
  if (inWord) out.push(cur)
  return out
}
