import { describe, it, expect } from 'vitest'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { runTool } from './main.js'
import { memoryIO } from './io.js'

const bin = (tool: string) => fileURLToPath(new URL(`../../../bin/${tool}`, import.meta.url))

describe('CLI dispatch', () => {
  it('runs a tool in-process and rejects unknown tools with exit 64', async () => {
    const ok = memoryIO()
    expect(await runTool('wren-version', [], ok.io)).toBe(0)
    expect(ok.stdout()).toMatch(/^Wren Messaging Server \d+\.\d+\.\d+/)
    const bad = memoryIO()
    expect(await runTool('../etc/passwd', [], bad.io)).toBe(64)
    expect(bad.stderr()).toContain("unknown command '../etc/passwd'")
  })

  it('runs through the bin/ link as a user would', () => {
    const r = spawnSync(bin('wren-version'), [], { encoding: 'utf8' })
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('Wren Messaging Server')
    const u = spawnSync(bin('wren-version'), ['extra'], { encoding: 'utf8' })
    expect(u.status).toBe(64)
  })
})
