// What a CLI command talks to: injectable so that tests can run commands in-process.
import { createInterface } from 'node:readline'

export interface CliIO {
  stdout(text: string): void
  stderr(text: string): void
  /** Reads all of standard input (messages for `deliver`, `sendmail`). */
  readStdin(): Promise<Buffer>
  /** Asks a question on the terminal (interactive msconfig, `set -prompt`). Resolves null at end of input. */
  prompt(question: string): Promise<string | null>
  env: NodeJS.ProcessEnv
  cwd: string
}

export function processIO(): CliIO {
  let rl: ReturnType<typeof createInterface> | undefined
  const lines: string[] = []
  const waiters: Array<(l: string | null) => void> = []
  let ended = false
  const ensureRl = () => {
    if (rl) return
    rl = createInterface({ input: process.stdin, terminal: false })
    rl.on('line', (l) => { const w = waiters.shift(); if (w) w(l); else lines.push(l) })
    rl.on('close', () => { ended = true; for (const w of waiters.splice(0)) w(null) })
  }
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    async readStdin() {
      const chunks: Buffer[] = []
      for await (const c of process.stdin) chunks.push(c as Buffer)
      return Buffer.concat(chunks)
    },
    prompt(question) {
      process.stdout.write(question)
      ensureRl()
      const l = lines.shift()
      if (l !== undefined) return Promise.resolve(l)
      if (ended) return Promise.resolve(null)
      return new Promise((resolve) => waiters.push(resolve))
    },
    env: process.env,
    cwd: process.cwd(),
  }
}

/** An in-memory CliIO for tests: captures output, feeds stdin and prompt answers. */
export function memoryIO(opts: { stdin?: Buffer | string; answers?: string[]; env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const out: string[] = []
  const err: string[] = []
  const answers = [...(opts.answers ?? [])]
  const io: CliIO = {
    stdout: (t) => { out.push(t) },
    stderr: (t) => { err.push(t) },
    readStdin: async () => Buffer.from(opts.stdin ?? ''),
    prompt: async (q) => { out.push(q); return answers.length ? answers.shift()! : null },
    env: { ...process.env, ...(opts.env ?? {}) },
    cwd: opts.cwd ?? process.cwd(),
  }
  return { io, stdout: () => out.join(''), stderr: () => err.join('') }
}
