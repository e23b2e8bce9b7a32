// Client-side end-of-DATA → 250 latency, measured the same way against any SMTP server: one extra
// session that sends 2 KB messages back to back (one connection, RSET-free MAIL/RCPT/DATA loop)
// while the load runs, until stopped.
import { connect, type Socket } from 'node:net'

export interface Probe { stop(): Promise<number[]> }

export function startLatencyProbe(port: number, from: string, to: string): Probe {
  const lat: number[] = []
  let stopping = false
  const body = `Subject: latency probe\r\n\r\n${'x'.repeat(76)}\r\n`.repeat(26) + '.\r\n'
  const done = (async () => {
    const s: Socket = connect(port, '127.0.0.1')
    s.setNoDelay(true)
    let buf = ''
    const waiters: Array<{ resolve: (line: string) => void; reject: (e: Error) => void }> = []
    s.on('error', (e) => { for (const w of waiters.splice(0)) w.reject(e) })
    s.on('close', () => { for (const w of waiters.splice(0)) w.reject(new Error('probe: connection closed')) })
    s.on('data', (d) => {
      buf += d.toString('latin1')
      let i: number
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i)
        buf = buf.slice(i + 2)
        if (line[3] === '-') continue // multi-line reply: wait for the last line
        waiters.shift()?.resolve(line)
      }
    })
    const reply = () => new Promise<string>((resolve, reject) => { waiters.push({ resolve, reject }) })
    const cmd = async (c: string, want: string) => { s.write(c); const r = await reply(); if (!r.startsWith(want)) throw new Error(`probe: ${c.trim()} → ${r}`) }
    try {
      if (!(await reply()).startsWith('220')) throw new Error('probe: no greeting')
      await cmd('EHLO probe.test\r\n', '250')
      while (!stopping) {
        await cmd(`MAIL FROM:<${from}>\r\n`, '250')
        await cmd(`RCPT TO:<${to}>\r\n`, '250')
        await cmd('DATA\r\n', '354')
        const t0 = performance.now()
        await cmd(body, '250')
        lat.push(performance.now() - t0)
      }
      s.end('QUIT\r\n')
    } finally { s.destroy() }
  })()
  return {
    async stop() { stopping = true; await done; return lat },
  }
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return 0
  const v = [...values].sort((a, b) => a - b)
  return v[Math.min(v.length - 1, Math.floor(p * v.length))]
}
