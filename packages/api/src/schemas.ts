// Input pieces shared by several routers.
import { z } from 'zod'

export const domainName = z.string().trim().min(1, 'enter a domain name').max(253).transform((s) => s.toLowerCase())
export const uidSchema = z.string().trim().min(1, 'enter a user id').max(256)
export const cursor = z.string().max(2048).optional()
export const limit = z.number().int().min(1).max(1000).optional()
/** A quota value as the directory takes it (`10M`, `2G`, `500`, `-1` unlimited); '' removes it. */
export const quotaValue = z.union([z.string().trim().max(64), z.number().int()]).transform((v) => String(v))
export const addressList = z.array(z.string().trim().min(1).max(512)).max(1000)
export const entryStatus = z.enum(['active', 'inactive', 'hold', 'disabled'])
export const version = z.string().min(1, 'version is required (from get)').max(100)
