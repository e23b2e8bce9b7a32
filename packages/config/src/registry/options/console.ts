// console.* — the web console (issue 6): a Next.js process the watcher starts as service `console`.
// It serves the browser UI and proxies `/trpc/*` to the admin API on admin.listenaddr:admin.port.
import type { OptionSpec } from '../types.js'
import { opt } from './define.js'

// The restart scope is the service name `console`.
const restart = { restart: 'console' as const }

export const consoleOptions: OptionSpec[] = [
  opt('console.enable', 'bool', true, '1 = the watcher starts the web console (service console).', restart),
  opt('console.port', 'tcpport', 8081, 'Port the web console listens on (HTTP; the browser reaches the admin API through it).', restart),
  opt('console.listenaddr', 'string', '127.0.0.1', 'Address the web console listens on (loopback by default).', { scope: 'instance', ...restart }),
]
