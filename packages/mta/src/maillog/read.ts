// Streaming reader over a mail.log / connection.log file (the console and imsimta read big logs
// through this without loading them whole). Lines that are not log records are skipped.
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import type { LogOptions } from './options.js'
import { parseLogLine, type ParsedLogLine } from './parse.js'

export async function* readMailLog(path: string, opts: Partial<LogOptions> = {}): AsyncGenerator<ParsedLogLine> {
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity })
  try {
    for await (const line of rl) {
      if (!line) continue
      const rec = parseLogLine(line, opts)
      if (rec) yield rec
    }
  } finally {
    rl.close()
  }
}
