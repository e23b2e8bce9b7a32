// mail.log fields from the SMTP envelope (spec 01 §22): the orig-to field is the DSN ORCPT when the
// client gave one (RFC 3461 §4.2), in the E record at the dispatcher and the D record at delivery.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { smtpSession, startMta, waitFor, type Mta } from './harness.js'

describe('mail.log envelope fields', () => {
  let mta: Mta
  beforeAll(async () => { mta = await startMta() })
  afterAll(async () => { await mta.stop() })

  it('orig-to is the ORCPT the client gave (E at the dispatcher, D at delivery)', async () => {
    const c = await smtpSession(mta)
    expect(await c.cmd('MAIL FROM:<a@remote.test>')).toMatch(/^250 /)
    expect(await c.cmd('RCPT TO:<joe@example.org> ORCPT=rfc822;first+2Dalias@list.example')).toMatch(/^250 /)
    expect(await c.cmd('DATA')).toMatch(/^354/)
    c.send('Subject: orcpt\r\n\r\nbody\r\n.\r\n')
    expect(await c.reply()).toMatch(/^250 2\.5\.0/)
    expect(await c.cmd('QUIT')).toMatch(/^221 /)
    await waitFor(() => / ims-ms D 1 a@remote\.test rfc822;first-alias@list\.example joe@/.test(mta.mailLog()), 'D record with the ORCPT')
    expect(mta.mailLog()).toMatch(/ tcp_(local|intranet) ims-ms E+ 1 a@remote\.test rfc822;first-alias@list\.example joe@/)
  })
})

describe('access tables after expansion (spec 01 §12)', () => {
  let mta: Mta
  beforeAll(async () => {
    mta = await startMta({
      realPolicy: true,
      config: {
        'base.defaultdomain': 'example.org',
        'mapping:SEND_ACCESS.rule': ['*|spam@remote.test|*|* $X4.7.1|$NNo$ spam$ please'],
        'mapping:FROM_ACCESS.rule': ['*|MAIL|*|blocked@remote.test|* $NSender$ blocked'],
      },
    })
  })
  afterAll(async () => { await mta.stop() })

  it('SEND_ACCESS refuses an expanded recipient with its reply and a J record; others pass', async () => {
    const c = await smtpSession(mta)
    expect(await c.cmd('MAIL FROM:<spam@remote.test>')).toMatch(/^250 /)
    expect(await c.cmd('RCPT TO:<joe@example.org>')).toMatch(/^451 4\.7\.1 No spam please/)
    expect(await c.cmd('RSET')).toMatch(/^250 /)
    expect(await c.cmd('MAIL FROM:<fine@remote.test>')).toMatch(/^250 /)
    expect(await c.cmd('RCPT TO:<joe@example.org>')).toMatch(/^250 /)
    expect(await c.cmd('RSET')).toMatch(/^250 /)
    // FROM_ACCESS at MAIL FROM: refused, with a J record too
    expect(await c.cmd('MAIL FROM:<blocked@remote.test>')).toMatch(/^550 5\.7\.1 Sender blocked/)
    expect(await c.cmd('QUIT')).toMatch(/^221 /)
    await waitFor(() => / J\w* 0 blocked@remote\.test rfc822; .*550 5\.7\.1 Sender blocked/.test(mta.mailLog()), 'J record of FROM_ACCESS')
    expect(mta.mailLog()).toMatch(/ ims-ms J\w* 0 spam@remote\.test rfc822;joe@example\.org \S+ .*451 4\.7\.1 No spam please/)
  })
})
