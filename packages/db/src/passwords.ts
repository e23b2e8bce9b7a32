// Password hashing for credentials Wren stores itself (console administrators, embedded directory):
// scrypt (N=2^15, r=8, p=1) with a 16-byte salt, encoded `$scrypt$N$r$p$salt$hash` (base64).
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto'

const N = 1 << 15, R = 8, P = 1, KEYLEN = 32
const MAXMEM = 64 * 1024 * 1024

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((res, rej) => scryptCb(password, salt, keylen, opts, (err, key) => (err ? rej(err) : res(key))))
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scrypt(password, salt, KEYLEN, { N, r: R, p: P, maxmem: MAXMEM })
  return `$scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parts = encoded.split('$')
  if (parts.length !== 7 || parts[1] !== 'scrypt') return false
  const [n, r, p] = [Number(parts[2]), Number(parts[3]), Number(parts[4])]
  const salt = Buffer.from(parts[5]!, 'base64')
  const expected = Buffer.from(parts[6]!, 'base64')
  const key = await scrypt(password, salt, expected.length, { N: n, r, p, maxmem: MAXMEM })
  return key.length === expected.length && timingSafeEqual(key, expected)
}

/** A random password for generated accounts (configure's admin): 20 chars, no ambiguous glyphs. */
export function generatePassword(length = 20): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'
  const bytes = randomBytes(length)
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('')
}
