import { describe, it, expect } from 'vitest'
import { defaultRegistry } from './registry/registry.js'
import { fromConfigXml, toConfigXml } from './xml.js'

const reg = defaultRegistry()

describe('config.xml', () => {
  it('reads the manual\'s sample config.xml (spec 01 §1)', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<xconfig>
<role name="store">
<base><defaultdomain v="example.com"/></base>
<imap><enable v="1"/><numprocesses v="2"/></imap>
<mapping name="ABC">
<rule pattern="x*y" template="$N"/>
<rule pattern="*" template="$Y"/>
</mapping>
</role>
<instance name="ims" roleref="store">
<base><hostname v="wassonite.example.com"/></base>
<mta><mm_debug v="5"/></mta>
</instance>
</xconfig>`
    const s = fromConfigXml(xml, reg)
    expect(Object.fromEntries(s)).toEqual({
      'role|base.defaultdomain': 'example.com',
      'role|imap.enable': true,
      'role|imap.numprocesses': 2,
      'role|mapping:ABC.rule': ['x*y $N', '* $Y'],
      'instance|base.hostname': 'wassonite.example.com',
      'instance|mta.mm_debug': 5,
    })
  })

  it('writes the product shape and reads it back unchanged', () => {
    const s = new Map<string, string | number | boolean | string[]>([
      ['role|imap.enable', false],
      ['instance|imap.enable', true],
      ['role|dispatcher.service:SMTP.tcp_ports', ['2525', '2526']],
      ['role|rewrite.rule', ['example.org $U%D@tcp_example-daemon', '$* $U%$D@tcp_local-daemon']],
      ['role|channel:tcp_local.options.trace_level', '2'],
      ['role|base.welcomemsg;lang-de', 'Subject: Willkommen "&" <hallo>$$Text'],
      ['role|vdomain:192.0.2.0.defaultdomain', 'x'],
    ].filter(([k]) => reg.lookup(String(k).split('|')[1]!)) as Array<[string, string | number | boolean | string[]]>)
    const xml = toConfigXml(s, reg)
    expect(xml).toContain('<role name="store">')
    expect(xml).toContain('<instance name="ims" roleref="store">')
    expect(xml).toContain('<service name="SMTP">')
    expect(xml).toContain('<rule pattern="example.org" template="$U%D@tcp_example-daemon"/>')
    expect(xml).toContain('<welcomemsg lang="de" v="Subject: Willkommen &quot;&amp;&quot; &lt;hallo&gt;$$Text"/>')
    expect(Object.fromEntries(fromConfigXml(xml, reg))).toEqual(Object.fromEntries(s))
  })

  it('rejects malformed or invalid files with every problem named', () => {
    expect(() => fromConfigXml('<xconfig><role name="store"><imap><port v="x"/><enabel v="1"/></imap></role></xconfig>', reg)).toThrow(
      /imap\.port: "x" is not a TCP port number[\s\S]*unknown option imap\.enabel \(did you mean imap\.enable/,
    )
    expect(() => fromConfigXml('<nothing/>', reg)).toThrow(/no <xconfig>/)
  })
})
