// Test worker: appends (or delivers) messages in a loop and prints `ok <uid>` to stdout after each
// operation has returned (i.e. was acknowledged). Used by the crash and multi-process tests.
import { staticConfigView } from '@wren/kernel'
import { openStore } from '../store.js'

const [dataRoot, userid, countArg, mode, tag] = process.argv.slice(2)
const count = Number(countArg) // 0 = forever
const store = openStore({ dataRoot, config: staticConfigView({}) })
const session = store.session(userid)
let i = 0
while (count === 0 || i < count) {
  i++
  const body = Buffer.from(`From: w@example.com\r\nSubject: ${tag} ${i}\r\n\r\n${'x'.repeat(200 + (i % 50))} ${tag}-${i}\r\n`)
  if (mode === 'deliver') {
    const items = [0, 1, 2].map((k) => ({ req: { userid }, message: Buffer.concat([body, Buffer.from(`part ${k}\r\n`)]) }))
    const out = await store.deliverBatch(items)
    for (const o of out) if (o.ok) process.stdout.write(`ok ${o.uid}\n`)
  } else {
    const r = await session.append('INBOX', body, { flags: i % 2 ? ['\\Seen'] : [] })
    process.stdout.write(`ok ${r.uid}\n`)
  }
}
store.close()
