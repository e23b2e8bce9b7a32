// smtp-server adds an enhanced status code (RFC 2034) chosen from the reply code alone; the MTA's
// replies carry their own (`530 5.7.1 Relaying not allowed`, `550 5.1.1 unknown or illegal alias`).
// When a reply text already starts with `x.y.z `, send it as is (and strip it if the client did not
// get ENHANCEDSTATUSCODES). Patched once per process.
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js'

type Conn = { _useEnhancedStatusCodes(): boolean; secure: boolean; _server: { options: { allowInsecureAuth?: boolean } } }
type SendFn = (this: Conn, code: number, data: unknown, context?: unknown) => void
let patched = false

export function patchEnhancedCodes(): void {
  if (patched) return
  patched = true
  const proto = (SMTPConnection as { prototype: { send: SendFn } }).prototype
  const orig = proto.send
  proto.send = function (code, data, context) {
    // RFC 4954 §4 / spec 04 B.8: no AUTH offered on a cleartext channel unless configured.
    if (code === 250 && Array.isArray(data) && !this.secure && !this._server.options.allowInsecureAuth) {
      data = data.filter((l) => !/^AUTH /.test(String(l)))
    }
    if (typeof data === 'string' && /^[245]\.\d{1,3}\.\d{1,3} /.test(data)) {
      const text = this._useEnhancedStatusCodes() ? data : data.replace(/^\S+ /, '')
      return orig.call(this, code, text, false)
    }
    return orig.call(this, code, data, context)
  }
}
