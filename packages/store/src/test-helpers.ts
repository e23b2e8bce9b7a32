// Helpers for the store's own tests: a temp data root and an opened store.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createLocalBus, staticConfigView, type EnsEvent, type OptionValue } from '@wren/kernel'
import { openStore } from './store.js'
import type { QuotaResolver } from './types.js'

export function tempRoot(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'wren-store-'))
}

export function makeStore(opts: { root?: string; config?: Record<string, OptionValue>; quotaResolver?: QuotaResolver } = {}) {
  const root = opts.root ?? tempRoot()
  const bus = createLocalBus()
  const events: EnsEvent[] = []
  bus.subscribe((e) => events.push(e))
  const store = openStore({ dataRoot: root, config: staticConfigView(opts.config ?? {}), bus, quotaResolver: opts.quotaResolver })
  return { root, store, bus, events, cleanup: () => { store.close(); fs.rmSync(root, { recursive: true, force: true }) } }
}

export function msg(subject: string, body = 'Hello World!\r\n', extra = ''): Buffer {
  return Buffer.from(`From: Alice <alice@example.com>\r\nTo: bob@example.com\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@example.com>\r\n${extra}\r\n${body}`)
}
