import { fork, type ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import type { InternalMessage } from '@wren/kernel'
import { createBusHub } from './hub.js'

const here = dirname(fileURLToPath(import.meta.url))
const tsx = join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/index.mjs')
const children: ChildProcess[] = []
afterEach(() => { for (const c of children.splice(0)) c.kill('SIGKILL') })

function until<T>(check: () => T | undefined, ms = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now()
    const tick = () => {
      const v = check()
      if (v !== undefined) return resolve(v)
      if (Date.now() - t0 > ms) return reject(new Error('timed out'))
      setTimeout(tick, 20)
    }
    tick()
  })
}

describe('createBusHub + connectBusToParent (real processes over IPC)', () => {
  it('relays events from one child to every other child and the parent, without loss', async () => {
    const hub = createBusHub()
    const seen: InternalMessage[] = []
    const ready = new Set<string>()
    hub.onMessage('seen', (m) => { seen.push(m) })
    hub.onMessage('ready', (m) => { ready.add(String(m.by)) })
    const parentEvents: number[] = []
    hub.subscribe((e) => { parentEvents.push(Number(e.imapUid)) })
    for (const name of ['a', 'b', 'c']) {
      const c = fork(join(here, 'testing/echo-child.ts'), [name], { execArgv: ['--import', tsx], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' })
      children.push(c)
      hub.attach(c, name)
    }
    await until(() => (ready.size === 3 ? true : undefined))
    const N = 200
    hub.send({ topic: 'publish', to: 'a', count: N })
    // a sees its own N events locally, b and c get them relayed: 3N `seen` reports
    await until(() => (seen.length >= 3 * N ? true : undefined))
    for (const who of ['a', 'b', 'c']) {
      const uids = seen.filter((m) => m.by === who).map((m) => Number(m.imapUid))
      expect(uids).toEqual(Array.from({ length: N }, (_, i) => i + 1))
    }
    expect(parentEvents).toEqual(Array.from({ length: N }, (_, i) => i + 1))
    expect(hub.size).toBe(3)
  })

  it('detaches a child when it exits', async () => {
    const hub = createBusHub()
    const c = fork(join(here, 'testing/echo-child.ts'), ['x'], { execArgv: ['--import', tsx], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    children.push(c)
    hub.attach(c)
    expect(hub.size).toBe(1)
    c.kill('SIGKILL')
    await until(() => (hub.size === 0 ? true : undefined))
  })
})
