// Preloaded (`node -r`) into the console server process (console-server.mjs) by console-service.ts: when the
// service process that spawned it goes away without stopping it (kill -9, `stop-msg -f`), the
// console exits too instead of lingering as an orphan that holds console.port.
'use strict'
const parent = process.ppid
setInterval(() => {
  if (process.ppid !== parent) process.exit(0)
}, 1000).unref()
