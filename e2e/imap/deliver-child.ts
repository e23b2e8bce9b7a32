/** Child process for cross-process tests: opens the store on a data root and delivers N messages. */
import { staticConfigView } from '@wren/kernel'
import { openStore } from '@wren/store'

const [dataRoot, userid, countArg] = process.argv.slice(2)
const store = openStore({ dataRoot, config: staticConfigView({}), processName: 'ims_master' })
const count = Number(countArg ?? 1)
process.stdout.write('ready\n')
process.stdin.once('data', async () => {
  for (let i = 0; i < count; i++) {
    const msg = Buffer.from(`From: ext@example.org\r\nTo: ${userid}@example.com\r\nSubject: delivered ${i}\r\nMessage-ID: <d${i}.${Date.now()}@example.org>\r\n\r\nDelivered body ${i}\r\n`)
    const r = await store.deliver({ userid }, msg)
    if (!r.ok) { process.stdout.write(`error ${r.text}\n`); process.exit(1) }
  }
  process.stdout.write(`delivered ${Date.now()}\n`)
  store.close()
  process.exit(0)
})
