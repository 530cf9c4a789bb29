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

export interface ArgCond {
  path: string
  glob: string
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
