// What the frontend needs from Go, as an interface: api.ts implements it over
// the generated Wails bindings, tests implement it in memory.
import type { BrokerEvent, Decision, NewRule, PendingCall, Rule } from './types'

/** Event names emitted by app/events.go. */
export const events = {
  approvalAdded: 'approvals:added',
  approvalRemoved: 'approvals:removed',
  approvalsResync: 'approvals:resync',
  rulesChanged: 'rules:changed',
} as const

export interface Backend {
  pending(): Promise<PendingCall[]>
  decide(id: string, d: Decision): Promise<void>
  rules(): Promise<Rule[]>
  addRule(r: NewRule): Promise<Rule>
  removeRule(id: string): Promise<void>
  /** Listens to a Go event; returns the function that stops listening. */
  on(name: 'approvals:added' | 'approvals:removed', cb: (ev: BrokerEvent) => void): () => void
  on(name: 'approvals:resync' | 'rules:changed', cb: () => void): () => void
}

/** The text of a rejected binding call (Go returns the error's message). */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message
  return String(e)
}
