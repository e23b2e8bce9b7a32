// The listener's SIZE limit (RFC 1870) from mta.max_message_size and the channel's blocklimit:
// 100 MB when unset (the registry's default), 0 = no fixed maximum, as the option's help says.
import { describe, expect, it } from 'vitest'
import { staticConfigView } from '@wren/kernel'
import { DEFAULT_MAX_MESSAGE_SIZE, listenerDefs, messageSizeLimit } from './listener-config.js'

const size = (c: Record<string, string | number>, channel = 'tcp_local') => messageSizeLimit(staticConfigView(c), channel)

describe('listener message size limit', () => {
  it('unset: 100 MB; 0: no limit', () => {
    expect(size({})).toBe(DEFAULT_MAX_MESSAGE_SIZE)
    expect(listenerDefs(staticConfigView({})).map((d) => d.size)).toEqual([DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_MAX_MESSAGE_SIZE])
    expect(size({ 'mta.max_message_size': 0 })).toBe(0)
    expect(size({ 'mta.max_message_size': '0' })).toBe(0)
  })

  it('mta.max_message_size in bytes', () => {
    expect(size({ 'mta.max_message_size': 10000 })).toBe(10000)
    expect(listenerDefs(staticConfigView({ 'mta.max_message_size': '10000' })).every((d) => d.size === 10000)).toBe(true)
  })

  it('the source channel blocklimit (x mta.block_size) lowers it, and applies alone', () => {
    expect(size({ 'channel:tcp_local.blocklimit': 5, 'mta.max_message_size': 0 })).toBe(5 * 1024)
    expect(size({ 'channel:tcp_local.blocklimit': 5, 'mta.block_size': 100 })).toBe(500) // (below the 100 MB default)
    expect(size({ 'channel:tcp_local.blocklimit': 5, 'mta.max_message_size': 1000 })).toBe(1000)
    expect(size({ 'channel:tcp_local.blocklimit': 5, 'mta.max_message_size': 100000 })).toBe(5120)
    expect(size({ 'channel:tcp_local.blocklimit': 5, 'mta.max_message_size': 0 }, 'tcp_submit')).toBe(0)
  })
})
