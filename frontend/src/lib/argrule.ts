// "Always allow this tool with these argument values": the argument
// conditions a rule is prefilled with, taken from the call being decided.
import type { ArgCond, NewRule, PendingCall } from './types'

/**
 * Escapes a literal value for a doublestar glob, so the prefilled condition
 * matches exactly this value. The core compares against the value with
 * backslashes turned into slashes (internal/policy normalize), so they are
 * turned here too rather than escaped.
 */
export function globLiteral(v: string): string {
  return v.replaceAll('\\', '/').replace(/[*?[\]{}]/g, (c) => `\\${c}`)
}

/** One condition per top-level string argument, matching its current value. */
export function argConds(args: unknown): ArgCond[] {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return []
  const out: ArgCond[] = []
  for (const [k, v] of Object.entries(args as Record<string, unknown>)) {
    // A key with a dot would read as a nested path; a huge value makes no rule.
    if (typeof v === 'string' && !k.includes('.') && v.length <= 4096) out.push({ path: k, glob: globLiteral(v) })
  }
  return out
}

/** The allow rule for this call's server and tool, narrowed by conds. */
export function argRule(call: PendingCall, conds: ArgCond[]): NewRule {
  return {
    action: 'allow',
    server: call.server,
    tool: call.tool,
    args: conds,
    note: `from the approval of ${call.tool} at ${new Date().toISOString()}`,
  }
}

/** One editable condition of the "these argument values" choice. */
export interface CondRow {
  path: string
  glob: string
  use: boolean
}

/** The editable conditions prefilled from a call's arguments, all in use. */
export function condRows(args: unknown): CondRow[] {
  return argConds(args).map((c) => ({ path: c.path, glob: c.glob ?? '', use: true }))
}

/** The conditions a person kept. */
export function chosenConds(rows: CondRow[]): ArgCond[] {
  return rows.filter((r) => r.use).map((r) => ({ path: r.path, glob: r.glob }))
}
