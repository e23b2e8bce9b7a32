// The benchmark's configuration and users: `example.org` is the default (local) domain, the
// loopback is INTERNAL_IP (the product's default relay policy), users user0…userN-1.
import { openDirectory } from '@wren/directory'
import { staticConfigView } from '@wren/kernel'

export const benchConfig = { 'base.defaultdomain': 'example.org', 'base.hostname': 'mx.example.org' }

/** Creates the domain and users in @wren/directory on the data root (embedded provider). */
export async function provisionDirectory(dataRoot: string, users: number): Promise<void> {
  const dir = await openDirectory({ dataRoot, config: staticConfigView(benchConfig), hostname: 'mx.example.org' })
  try {
    const actor = { actor: 'bench', source: 'cli' } as unknown as Parameters<typeof dir.createDomain>[1]
    if (!(await dir.listDomains({ text: 'example.org' })).items.some((d) => d.name === 'example.org')) await dir.createDomain({ name: 'example.org' }, actor)
    for (let i = 0; i < users; i++) await dir.createUser({ uid: `user${i}`, domain: 'example.org', password: 'pw' }, actor)
  } finally { await dir.close() }
}
