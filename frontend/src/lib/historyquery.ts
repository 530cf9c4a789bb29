// The History page's filters as the person edits them, the query they
// become (app.History.List / Export), and whether a call recorded live
// matches them, the way the store would.
import { searchMatches } from './highlight'
import type { HistoryCall, HistoryQuery } from './types'

export const DECISIONS = ['approved', 'denied', 'timeout', 'cancelled', 'blocked'] as const

/** What the filter bar holds: text as typed; since/until as <input type="datetime-local"> values (local time). */
export interface Filters {
  client: string
  server: string
  tool: string
  decision: string
  search: string
  since: string
  until: string
}

export const emptyFilters = (): Filters => ({ client: '', server: '', tool: '', decision: '', search: '', since: '', until: '' })

/** A local date-time ("2026-11-26T12:00") as RFC 3339 UTC; throws on text that is not one. */
function instant(v: string, what: string): string {
  const d = new Date(v)
  if (Number.isNaN(d.getTime())) throw new Error(`${what}: “${v}” is not a date and time`)
  return d.toISOString()
}

/**
 * The query for the filters: empty fields are left out (they do not
 * filter), text is trimmed, times become RFC 3339. Throws when a time is
 * unreadable or since is not before until.
 */
export function toQuery(f: Filters): HistoryQuery {
  const q: HistoryQuery = {}
  for (const k of ['client', 'server', 'tool', 'decision'] as const) {
    const v = f[k].trim()
    if (v) q[k] = v
  }
  const search = f.search.trim()
  if (search) q.search = search
  if (f.since.trim()) q.since = instant(f.since.trim(), 'since')
  if (f.until.trim()) q.until = instant(f.until.trim(), 'until')
  if (q.since && q.until && q.since >= q.until) throw new Error('“since” must be before “until”')
  return q
}

/** Whether any filter is set. */
export function filtered(q: HistoryQuery): boolean {
  return Boolean(q.client || q.server || q.tool || q.decision || q.search || q.since || q.until)
}

/** Arguments as the one line of text the index and the table show. */
export function argsLine(args: unknown): string {
  if (args === undefined || args === null) return ''
  if (typeof args === 'string') return args
  try {
    return JSON.stringify(args)
  } catch {
    return String(args)
  }
}

/** Whether call c belongs under query q (used for calls that arrive live). */
export function matchesQuery(c: HistoryCall, q: HistoryQuery): boolean {
  if (q.client && c.client !== q.client) return false
  if (q.server && c.server !== q.server) return false
  if (q.tool && c.tool !== q.tool) return false
  if (q.decision && c.decision !== q.decision) return false
  const at = Date.parse(c.requested_at)
  if (q.since && at < Date.parse(q.since)) return false
  if (q.until && at >= Date.parse(q.until)) return false
  return searchMatches(q.search, [c.tool, c.server, argsLine(c.arguments), c.note ?? ''])
}

/** Newest first, as the store orders calls: by time, then id. */
export function newerFirst(a: HistoryCall, b: HistoryCall): number {
  const d = Date.parse(b.requested_at) - Date.parse(a.requested_at)
  if (d !== 0) return d
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0
}
