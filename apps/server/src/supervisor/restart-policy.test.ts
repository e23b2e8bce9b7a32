import { describe, expect, it } from 'vitest'
import { decideRestart, restartSet } from './restart-policy.js'

describe('watcher restart policy (spec 01 §3)', () => {
  it('restarts once per base.autorestart.timeout window', () => {
    expect(decideRestart({ autorestart: true, timeoutSec: 600, now: 1_000_000 })).toEqual({ restart: true, reason: 'restart' })
    expect(decideRestart({ autorestart: true, timeoutSec: 600, lastAutoRestartAt: 1_000_000, now: 1_000_000 + 599_000 }).reason).toBe('failed-within-window')
    expect(decideRestart({ autorestart: true, timeoutSec: 600, lastAutoRestartAt: 1_000_000, now: 1_000_000 + 600_000 }).restart).toBe(true)
  })
  it('never restarts with base.autorestart.enable 0', () => {
    expect(decideRestart({ autorestart: false, timeoutSec: 600, now: 0 })).toEqual({ restart: false, reason: 'autorestart-disabled' })
  })
  it('a store-group failure restarts the active store-group services in order; others restart alone', () => {
    const members: Array<{ name: string; group?: string; active: boolean }> = [
      { name: 'ens', active: true },
      { name: 'store', group: 'store', active: true },
      { name: 'imap', group: 'store', active: false },
      { name: 'pop', group: 'store', active: true },
      { name: 'dispatcher', active: true },
    ]
    expect(restartSet<{ name: string; group?: string }>({ name: 'imap', group: 'store' }, members)).toEqual(['store', 'imap', 'pop'])
    expect(restartSet<{ name: string; group?: string }>({ name: 'dispatcher' }, members)).toEqual(['dispatcher'])
  })
})
