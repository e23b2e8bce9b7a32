// `run/control.json` (0600): how local tools (start-msg, stop-msg, refresh, msconfig) find the running
// daemon's control API: `{ port, token, pid, host, startedAt }`.
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface ControlFile {
  port: number
  host: string
  token: string
  pid: number
  startedAt: string
}

export function controlFilePath(dataRoot: string): string {
  return join(dataRoot, 'run', 'control.json')
}

export function pidFilePath(dataRoot: string): string {
  return join(dataRoot, 'run', 'wren.pid')
}

export function writeControlFile(dataRoot: string, info: ControlFile): void {
  const path = controlFilePath(dataRoot)
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 })
  chmodSync(tmp, 0o600)
  renameSync(tmp, path)
}

export function readControlFile(dataRoot: string): ControlFile | undefined {
  const path = controlFilePath(dataRoot)
  if (!existsSync(path)) return undefined
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<ControlFile>
    if (typeof v.port !== 'number' || typeof v.token !== 'string' || typeof v.pid !== 'number') return undefined
    return { host: '127.0.0.1', startedAt: '', ...v } as ControlFile
  } catch {
    return undefined
  }
}

export function removeRunFiles(dataRoot: string, pid = process.pid): void {
  const info = readControlFile(dataRoot)
  if (!info || info.pid === pid) rmSync(controlFilePath(dataRoot), { force: true })
  const pidFile = pidFilePath(dataRoot)
  if (existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() === String(pid)) rmSync(pidFile, { force: true })
}

/** True when a process with this pid exists (signal 0 probe). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
