/** Pretty JSON longer than this is cut, so a huge argument cannot freeze the window. */
export const MAX_PRETTY = 64 * 1024

/** Formats a call's arguments as indented JSON, cut at `max` characters. */
export function prettyArgs(args: unknown, max = MAX_PRETTY): { text: string; truncated: boolean } {
  if (args === undefined || args === null) return { text: '(no arguments)', truncated: false }
  const text = JSON.stringify(args, null, 2)
  if (text.length <= max) return { text, truncated: false }
  return { text: text.slice(0, max), truncated: true }
}

/** Whole seconds from now until deadline (RFC 3339), never below zero. */
export function secondsLeft(deadline: string, now: number): number {
  const ms = Date.parse(deadline) - now
  return Number.isFinite(ms) ? Math.max(0, Math.ceil(ms / 1000)) : 0
}

/** Describes what a rule matches, e.g. "fs · read_* · client cursor". */
export function ruleScope(r: { server: string; tool?: string; client?: string; args?: { path: string; glob: string }[] }): string {
  const parts = [r.server, r.tool || 'any tool']
  if (r.client) parts.push(`client ${r.client}`)
  for (const a of r.args ?? []) parts.push(`${a.path}=${a.glob}`)
  return parts.join(' · ')
}
