// Sorting the core's flag strings for the popup. The core sends plain
// sentences (internal/core, internal/toolguard); the popup shows annotations
// apart from risks, because annotations are only the server's word.

/** How loudly the popup shows a flag. */
export type Severity = 'danger' | 'warning'

export interface RiskFlag {
  text: string
  severity: Severity
}

const CLAIM = /\(claimed by the server\)\s*$/i
// Secrets leaving through arguments and instructions hidden from the person
// are the two risks a single click should never wave through.
const DANGER = /secret|key shape|token|password|credential|hidden instruction|invisible|ansi escape|bidi|zero-width/i

/**
 * Splits the core's flags into annotations the server claims about its tool
 * (shown as claims, never trusted) and risk flags, each with a severity.
 */
export function splitFlags(flags: readonly string[] | undefined): { claims: string[]; risks: RiskFlag[] } {
  const claims: string[] = []
  const risks: RiskFlag[] = []
  for (const f of flags ?? []) {
    if (CLAIM.test(f)) claims.push(f.replace(CLAIM, '').trim())
    else risks.push({ text: f, severity: DANGER.test(f) ? 'danger' : 'warning' })
  }
  // Dangers first: the eye lands on the first line.
  risks.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'danger' ? -1 : 1))
  return { claims, risks }
}
