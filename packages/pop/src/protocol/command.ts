// POP3 command line parsing (RFC 1939 §3, RFC 2449 §4). Pure: no sockets, no storage.
//
// RFC 1939 §3: "Commands in the POP3 consist of a case-insensitive keyword, possibly followed by one
// or more arguments. All commands are terminated by a CRLF pair. Keywords and arguments consist of
// printable ASCII characters. Keywords and arguments are each separated by a single SPACE character.
// Keywords are three or four characters long. Each argument may be up to 40 characters long."
// RFC 2449 §4: the whole command line may be up to 255 octets including the CRLF.

export const MAX_COMMAND_LINE = 255
/** RFC 1939 §3 argument limit; RFC 5034 AUTH initial responses and PASS secrets may exceed it. */
export const MAX_ARGUMENT = 40

export interface PopCommand {
  /** Upper-cased keyword, e.g. `RETR`. */
  keyword: string
  args: string[]
  /** The raw text after the keyword and one space (PASS takes the rest of the line verbatim). */
  rest: string
}

export type ParseResult = { ok: true; command: PopCommand } | { ok: false; error: string }

/** Parses one command line (without its CRLF). */
export function parseCommand(line: string): ParseResult {
  if (line.length === 0) return { ok: false, error: 'Empty command' }
  if (line.length + 2 > MAX_COMMAND_LINE) return { ok: false, error: 'Command line too long' }
  // RFC 1939 §3: printable ASCII only (tolerate a trailing space some clients send).
  if (/[^\x20-\x7e]/.test(line)) return { ok: false, error: 'Invalid characters in command' }
  const sp = line.indexOf(' ')
  const keyword = (sp < 0 ? line : line.slice(0, sp)).toUpperCase()
  if (!/^[A-Z]{3,4}$/.test(keyword)) return { ok: false, error: 'Unknown command' }
  const rest = sp < 0 ? '' : line.slice(sp + 1)
  const args = rest.length === 0 ? [] : rest.split(' ').filter((a) => a.length > 0)
  return { ok: true, command: { keyword, args, rest } }
}

/** RFC 1939 msg argument: a positive decimal message number without sign or leading junk. */
export function parseMessageNumber(arg: string | undefined): number | undefined {
  if (arg === undefined || !/^[0-9]{1,10}$/.test(arg)) return undefined
  const n = Number(arg)
  return n >= 1 ? n : undefined
}

/** RFC 1939 §7 TOP: the line count is a non-negative number. */
export function parseLineCount(arg: string | undefined): number | undefined {
  if (arg === undefined || !/^[0-9]{1,10}$/.test(arg)) return undefined
  return Number(arg)
}
