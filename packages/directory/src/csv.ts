// RFC 4180 CSV reader (quoted fields, doubled quotes, CRLF or LF), returning rows with their line numbers.
export function parseCsv(text: string): Array<{ line: number; fields: string[] }> {
  const rows: Array<{ line: number; fields: string[] }> = []
  let fields: string[] = []
  let field = ''
  let quoted = false
  let line = 1
  let rowLine = 1
  let started = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++ } else quoted = false
      } else {
        if (c === '\n') line++
        field += c
      }
      continue
    }
    if (c === '"' && field === '') { quoted = true; started = true; continue }
    if (c === ',') { fields.push(field); field = ''; started = true; continue }
    if (c === '\r') continue
    if (c === '\n') {
      fields.push(field)
      if (started || fields.some((f) => f !== '')) rows.push({ line: rowLine, fields })
      fields = []; field = ''; started = false
      line++
      rowLine = line
      continue
    }
    field += c
    started = true
  }
  if (started || field !== '') { fields.push(field); rows.push({ line: rowLine, fields }) }
  return rows
}
