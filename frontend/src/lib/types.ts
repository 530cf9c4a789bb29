// Shapes of what the Go side sends, as its JSON tags spell them
// (internal/broker and internal/policy). Times are RFC 3339 strings.

export interface PendingCall {
  id: string
  session_id: string
  client: string
  server: string
  tool: string
  /** The call's arguments, already parsed from JSON. */
  arguments?: unknown
  arguments_size?: number
  description?: string
  flags?: string[]
  requested_at: string
  deadline: string
}

export interface Outcome {
  decision: 'approved' | 'denied' | 'timeout' | 'cancelled'
  decided_by: string
  scope?: string
  note?: string
  decided_at: string
}

export interface BrokerEvent {
  kind: 'added' | 'removed'
  pending: PendingCall
  outcome?: Outcome
}

export interface Decision {
  action: 'approve' | 'deny'
  scope: 'once' | 'session' | 'always'
  note?: string
}

/** Argument condition (internal/policy ArgCond); an empty op means glob. */
export interface ArgCond {
  path: string
  op?: 'glob' | 'regex' | 'eq' | 'lt' | 'le' | 'gt' | 'ge'
  glob?: string
  value?: string
}

export type RuleAction = 'allow' | 'deny' | 'ask'

export interface Rule {
  id: string
  action: RuleAction
  client?: string
  server: string
  tool?: string
  args?: ArgCond[]
  note?: string
  created_at: string
  expires_at?: string
}

export type NewRule = Omit<Rule, 'id' | 'created_at'>

/** A call that stopped waiting, with what became of it. */
export interface Decided {
  call: PendingCall
  outcome: Outcome
}

// The shapes below belong to bindings the Go side is adding (Servers, Tools,
// History, Settings); they follow the core's JSON (internal/localapi,
// internal/toolguard).

/** A wrapped server with a live shim session. */
export interface ServerSession {
  session_id: string
  server: string
  client?: string
  command?: string[]
  url?: string
  pid?: number
  started_at?: string
}

export interface Finding {
  kind: string
  rule: string
  severity: string
  location: string
  excerpt: string
  detail?: string
}

/** A pinned tool, prompt or resource template and its review state. */
export interface ToolPin {
  server: string
  kind: string
  name: string
  hash: string
  state: 'trusted' | 'new' | 'changed' | 'quarantined' | string
  reason?: string
  definition?: unknown
  trusted_hash?: string
  findings?: Finding[]
  first_seen: string
  updated_at: string
}

export interface DiffLine {
  op: 'same' | 'add' | 'del' | string
  text: string
}

export interface HistoryQuery {
  server?: string
  tool?: string
  decision?: string
  search?: string
  limit?: number
}

/** A recorded call from the history. */
export interface HistoryCall {
  id: string
  requested_at: string
  decided_at?: string
  client?: string
  server: string
  tool: string
  arguments?: unknown
  arguments_size?: number
  decision: string
  decided_by?: string
  rule_id?: string
  note?: string
  reason?: string
  wait_ms?: number
  server_ms?: number
  result_status?: string
}

export interface Settings {
  /** Default approval timeout in seconds. */
  default_timeout_s: number
  start_at_login: boolean
}

/** Pause state: empty when not paused, otherwise what paused calls get. */
export type PauseMode = '' | 'deny' | 'ask'
