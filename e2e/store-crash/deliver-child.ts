/**
 * Child for the kill -9 test: delivers batches (1…32 items, like the MTA's ims-ms channel) in a loop
 * with deliveryIds `c/<n>/ims-ms/0` from n = argv[3] upwards, and after each batch prints
 * `ACK n1 n2 …` for the acknowledged ones — it is killed -9 at a random point.
 */
import fs from 'node:fs'
import { staticConfigView } from '@wren/kernel'
import { openStore } from '@wren/store'

const [dataRoot, startArg, usersArg] = process.argv.slice(2)
const USERS = Number(usersArg ?? 20)
const store = openStore({ dataRoot, config: staticConfigView({}), processName: 'ims_master' })
fs.writeSync(1, 'ready\n')
let n = Number(startArg)
let seed = Number(process.pid)
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
// Two job-controller "threads" at once, as the MTA runs them.
async function worker(): Promise<void> {
  for (;;) {
    const size = 1 + Math.floor(rnd() * 32)
    const ids: number[] = []
    const items = []
    for (let k = 0; k < size; k++) {
      const i = n++
      ids.push(i)
      const body = `line ${i} `.repeat(Math.floor(rnd() * 300))
      items.push({
        req: { userid: `u${i % USERS}`, deliveryId: `c/${i}/ims-ms/0` },
        message: Buffer.from(`From: a@example.org\r\nTo: u${i % USERS}@example.com\r\nSubject: m ${i}\r\nX-Delivery: ${i}\r\n\r\n${body}\r\n`),
      })
    }
    const out = await store.deliverBatch(items)
    const acked = ids.filter((_, k) => out[k].ok)
    if (acked.length) fs.writeSync(1, `ACK ${acked.join(' ')}\n`)
  }
}
void worker()
void worker()
