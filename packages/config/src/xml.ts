// config.xml and xpass.xml in the product's shape (spec 01 §1):
//   <role name="store"><imap><enable v="1"/></imap><mapping name="ABC"><rule pattern="x*y" template="$N"/></mapping></role>
//   <instance name="ims" roleref="store"><base><hostname v="…"/></base></instance>
// Annotations are attributes: xannotation (remark; "RESTRICTED USAGE OPTION: …" for restricted options),
// xauthor, xmtime. Passwords never appear in config.xml; xpass.xml holds them BASE64-obfuscated.
import { XMLParser } from 'fast-xml-parser'
import type { OptionValue } from '@wren/kernel'
import type { Registry } from './registry/registry.js'
import type { OptionMatch, Scope } from './registry/types.js'
import { ConfigError } from './registry/errors.js'
import { parseValue, xmlValue } from './values.js'
import { parseKey, settingKey, type Settings } from './settings.js'

export const ROLE_NAME = 'store'
export const INSTANCE_NAME = 'ims'

export interface Annotation {
  author: string
  mtime: Date
  remark: string
}

interface Leaf { tag: string; attrs: Array<[string, string]> }
interface Node { tag: string; name?: string; children: Map<string, Node>; leaves: Leaf[] }

const newNode = (tag: string, name?: string): Node => {
  const n: Node = { tag, children: new Map(), leaves: [] }
  if (name !== undefined) n.name = name
  return n
}

const VALID_TAG = /^[A-Za-z_][A-Za-z0-9_.-]*$/

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;')
}

/** Element path of a concrete option: `channel:tcp_local.options.trace_level` → channel[name] / options / trace_level. */
function pathOf(match: OptionMatch): { groups: Array<{ tag: string; name?: string }>; leaf: string } {
  const segs = match.spec.name.split('.')
  let gi = 0
  const parts = segs.map((seg) => {
    const named = /^(.*):<name>$/.exec(seg)
    if (named) return { tag: named[1]!, name: match.groups[gi++]! }
    if (seg === '<*>') return { tag: match.groups[gi++]! }
    return { tag: seg }
  })
  const leaf = parts.pop()!
  return { groups: parts, leaf: leaf.tag }
}

/** Splits a rule line `pattern template` at the first run of blanks. */
export function splitRule(line: string): { pattern: string; template: string } {
  const m = /^(\S+)\s+([\s\S]*)$/.exec(line.trim())
  return m ? { pattern: m[1]!, template: m[2]! } : { pattern: line.trim(), template: '' }
}

function buildTree(settings: Settings, registry: Registry, scope: Scope, encode: (v: string) => string, ann?: Map<string, Annotation>): Node {
  const root = newNode(scope)
  const keys = [...settings.keys()].filter((k) => parseKey(k).scope === scope).sort()
  for (const key of keys) {
    const { name } = parseKey(key)
    const match = registry.lookup(name)
    if (!match) continue
    const { groups, leaf } = pathOf(match)
    let node = root
    for (const g of groups) {
      const id = `${g.tag}|${g.name ?? ''}`
      let child = node.children.get(id)
      if (!child) node.children.set(id, (child = newNode(g.tag, g.name)))
      node = child
    }
    const a = ann?.get(key)
    const annotations: Array<[string, string]> = []
    if (a) {
      const remark = match.spec.restricted ? `RESTRICTED USAGE OPTION: ${a.remark}` : a.remark
      if (remark) annotations.push(['xannotation', remark])
      annotations.push(['xauthor', a.author], ['xmtime', a.mtime.toISOString()])
    } else if (match.spec.restricted) annotations.push(['xannotation', 'RESTRICTED USAGE OPTION: '])
    const lang: Array<[string, string]> = match.lang ? [['lang', match.lang]] : []
    const value = settings.get(key)!
    const tagged = (attrs: Array<[string, string]>): Leaf =>
      VALID_TAG.test(leaf) ? { tag: leaf, attrs } : { tag: 'option', attrs: [['name', leaf], ...attrs] }
    if (match.spec.multi) {
      for (const line of value as string[]) {
        if (leaf === 'rule') {
          const r = splitRule(line)
          node.leaves.push({ tag: 'rule', attrs: [['pattern', encode(r.pattern)], ['template', encode(r.template)], ...annotations] })
        } else node.leaves.push(tagged([['v', encode(line)], ...annotations]))
      }
    } else node.leaves.push(tagged([...lang, ['v', encode(xmlValue(value))], ...annotations]))
  }
  return root
}

function render(node: Node, indent: string, out: string[]): void {
  for (const leaf of node.leaves) {
    out.push(`${indent}<${leaf.tag}${leaf.attrs.map(([k, v]) => ` ${k}="${esc(v)}"`).join('')}/>`)
  }
  for (const child of node.children.values()) {
    const nameAttr = child.name !== undefined ? ` name="${esc(child.name)}"` : ''
    out.push(`${indent}<${child.tag}${nameAttr}>`)
    render(child, indent + '  ', out)
    out.push(`${indent}</${child.tag}>`)
  }
}

function serialize(settings: Settings, registry: Registry, rootTag: string, encode: (v: string) => string, ann?: Map<string, Annotation>): string {
  const out = ['<?xml version="1.0" encoding="UTF-8" standalone="no"?>', `<${rootTag}>`]
  out.push(`  <role name="${ROLE_NAME}">`)
  render(buildTree(settings, registry, 'role', encode, ann), '    ', out)
  out.push('  </role>')
  out.push(`  <instance name="${INSTANCE_NAME}" roleref="${ROLE_NAME}">`)
  render(buildTree(settings, registry, 'instance', encode, ann), '    ', out)
  out.push('  </instance>')
  out.push(`</${rootTag}>`, '')
  return out.join('\n')
}

/** config.xml: every explicit setting except passwords. */
export function toConfigXml(settings: Settings, registry: Registry, annotations?: Map<string, Annotation>): string {
  const plain = new Map([...settings].filter(([k]) => !registry.lookup(parseKey(k).name)?.spec.password))
  return serialize(plain, registry, 'xconfig', (v) => v, annotations)
}

/** xpass.xml: the passwords only, BASE64 (obfuscated, as the product stores them). */
export function toXpassXml(secrets: Settings, registry: Registry): string {
  return serialize(secrets, registry, 'xpass', (v) => Buffer.from(v, 'utf8').toString('base64'))
}

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> }

const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, parseTagValue: false, trimValues: true, processEntities: true })

function tagOf(el: Ordered): string | undefined {
  return Object.keys(el).find((k) => k !== ':@' && k !== '#text' && !k.startsWith('?'))
}

/**
 * Parses config.xml (or xpass.xml with `decode` = BASE64) into settings, validating every option.
 * Throws one ConfigError listing every problem; nothing is partially read.
 */
export function fromConfigXml(xml: string, registry: Registry, opts: { base64?: boolean } = {}): Settings {
  let doc: Ordered[]
  try {
    doc = parser.parse(xml) as Ordered[]
  } catch (err) {
    throw new ConfigError('type', `config.xml is not well-formed: ${(err as Error).message}`)
  }
  const top = doc.find((el) => { const t = tagOf(el); return t === 'xconfig' || t === 'xpass' })
  if (!top) throw new ConfigError('type', 'config.xml has no <xconfig> element')
  const decode = (v: string) => (opts.base64 ? Buffer.from(v, 'base64').toString('utf8') : v)
  const settings: Settings = new Map()
  const problems: string[] = []

  const add = (scope: Scope, name: string, raw: string) => {
    const match = registry.lookup(name)
    if (!match) {
      const s = registry.suggest(name)
      problems.push(`unknown option ${name}${s.length ? ` (did you mean ${s.join(', ')}?)` : ''}`)
      return
    }
    const key = settingKey(scope, match.name)
    try {
      if (match.spec.multi) {
        const prev = (settings.get(key) as string[] | undefined) ?? []
        settings.set(key, [...prev, raw])
      } else {
        settings.set(key, parseValue(match, raw) as OptionValue)
      }
    } catch (err) {
      problems.push((err as Error).message)
    }
  }

  const walk = (scope: Scope, children: Ordered[], prefix: string[]) => {
    for (const el of children) {
      const tag = tagOf(el)
      if (!tag) continue
      const attrs = el[':@'] ?? {}
      const kids = (el[tag] as Ordered[]) ?? []
      if (tag === 'rule' && 'pattern' in attrs) {
        add(scope, [...prefix, 'rule'].join('.'), `${decode(attrs.pattern!)} ${decode(attrs.template ?? '')}`.trim())
      } else if ('v' in attrs) {
        const leaf = tag === 'option' && attrs.name ? attrs.name : tag
        const lang = attrs.lang ? `;lang-${attrs.lang}` : ''
        add(scope, [...prefix, leaf].join('.') + lang, decode(attrs.v!))
      } else {
        const seg = attrs.name !== undefined ? `${tag}:${attrs.name}` : tag
        walk(scope, kids, [...prefix, seg])
      }
    }
  }

  for (const el of (top[tagOf(top)!] as Ordered[]) ?? []) {
    const tag = tagOf(el)
    if (tag !== 'role' && tag !== 'instance') continue
    walk(tag, (el[tag] as Ordered[]) ?? [], [])
  }
  if (problems.length) throw new ConfigError('type', `config.xml rejected:\n  ${problems.join('\n  ')}`)
  return settings
}
