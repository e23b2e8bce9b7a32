// Test fixture process for hub.test.ts: connects to the parent's bus, reports each event it sees
// back as an internal message `seen`, and publishes an event when asked.
import { connectBusToParent } from '../child.js'

const bus = connectBusToParent()
const name = process.argv[2] ?? 'child'
bus.subscribe((e) => bus.send({ topic: 'seen', by: name, evtType: e.evtType, imapUid: e.imapUid }))
bus.onMessage('publish', (m) => {
  if (m.to !== name) return
  for (let i = 0; i < Number(m.count); i++) {
    bus.publish({ evtType: 'NewMsg', timestamp: Date.now(), hostname: 'h', process: name, pid: process.pid, mailboxName: 'joe', imapUid: i + 1 })
  }
})
bus.send({ topic: 'ready', by: name })
process.on('disconnect', () => process.exit(0))
