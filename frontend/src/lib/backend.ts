// What the frontend needs from Go, as an interface: api.ts implements it over
// the generated Wails bindings, tests implement it in memory.
import type {
  BrokerEvent,
  Decision,
  DiffLine,
  HistoryCall,
  HistoryQuery,
  NewRule,
  PauseMode,
  PendingCall,
  Rule,
  ServerSession,
  Settings,
  ToolPin,
} from './types'

/** Event names emitted by app/events.go. */
export const events = {
  approvalAdded: 'approvals:added',
  approvalRemoved: 'approvals:removed',
  approvalsResync: 'approvals:resync',
  rulesChanged: 'rules:changed',
} as const

/** The wrapped servers the core sees (app.Servers binding). */
export interface ServersApi {
  list(): Promise<ServerSession[]>
}

/** Tool review: pins, diffs, trust (app.Tools binding). */
export interface ToolsApi {
  list(server?: string): Promise<ToolPin[]>
  diff(server: string, tool: string): Promise<DiffLine[]>
  trust(server: string, tools: string[]): Promise<void>
}

/** The call history (app.History binding). */
export interface HistoryApi {
  query(q: HistoryQuery): Promise<HistoryCall[]>
}

/** App settings and pause (app.Settings and app.Pause bindings). */
export interface SettingsApi {
  get(): Promise<Settings>
  set(s: Settings): Promise<void>
  paused(): Promise<PauseMode>
  pause(mode: PauseMode): Promise<void>
}

export interface Backend {
  pending(): Promise<PendingCall[]>
  decide(id: string, d: Decision): Promise<void>
  rules(): Promise<Rule[]>
  addRule(r: NewRule): Promise<Rule>
  removeRule(id: string): Promise<void>
  /** Listens to a Go event; returns the function that stops listening. */
  on(name: 'approvals:added' | 'approvals:removed', cb: (ev: BrokerEvent) => void): () => void
  on(name: 'approvals:resync' | 'rules:changed', cb: () => void): () => void
  // Services whose bindings are not in every build yet: null until the
  // generated wailsjs/go/app module exists, and the section says so.
  servers: ServersApi | null
  tools: ToolsApi | null
  history: HistoryApi | null
  settings: SettingsApi | null
}

/** The text of a rejected binding call (Go returns the error's message). */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message
  return String(e)
}
