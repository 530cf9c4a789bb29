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

// The shapes below follow the core's JSON behind the app.Servers, app.Tools,
// app.History and app.Settings bindings (internal/core, internal/localapi).

/** A connected shim: one running wrapped server (core.SessionInfo). */
export interface ServerSession {
  id: string
  server: string
  client?: string
  command?: string[]
  url?: string
  pid: number
}

export interface Finding {
  kind: string
  rule: string
  severity: string
  location: string
  excerpt: string
  detail?: string
}

/** A pinned tool, prompt or resource template and its review state (localapi.ToolPin). */
export interface ToolPin {
  server: string
  server_id: string
  kind: string
  name: string
  state: 'trusted' | 'new' | 'changed' | 'quarantined' | string
  reason?: string
  hash: string
  first_seen: string
  updated_at: string
  findings?: Finding[] | null
  collisions?: string[] | null
}

/** What changed in a pinned item since it was accepted (localapi.ToolDiff). */
export interface ToolDiff {
  server: string
  kind: string
  name: string
  state: string
  /** Unified-diff-like text: lines starting with "+", "-" or " ". */
  diff: string
}

export interface HistoryQuery {
  client?: string
  server?: string
  tool?: string
  decision?: string
  /** Full-text: every word must match. */
  search?: string
  /** RFC 3339: calls requested at or after. */
  since?: string
  /** RFC 3339: calls requested before. */
  until?: string
  limit?: number
  /** Cursor: the id of the last call of the previous page. */
  before?: string
}

/** A recorded call from the history (localapi.HistoryCall). */
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
  session_id?: string
  arguments_truncated?: boolean
  /** Hex SHA-256 of the full arguments. */
  arguments_digest?: string
  result_size?: number
  /** The tool definition hash when the call was made. */
  tool_hash?: string
  /** Only from History.Call (one call in full). */
  result_excerpt?: unknown
  /** What the scanner found in the result (hidden instructions, invisible characters, escapes). */
  result_flags?: ResultFlag[]
}

/** Where an export went (app.ExportResult); path is '' when the person cancelled. */
export interface ExportResult {
  path: string
  count: number
}

/** Pause state: empty when not paused, otherwise what paused calls get. */
export type PauseMode = '' | 'deny' | 'ask'

/** localapi.ResultFlag: one finding in a tool result; text has invisible characters made visible. */
export interface ResultFlag {
  kind: string
  location: string
  text: string
}

/** app.Target: what a wrap or unwrap applies to. */
export interface ClientTarget {
  client: string
  /** One config file of the client; absent: every file that has the servers. */
  path?: string
  /** Server locators or names; [] = every server. */
  servers: string[]
}

/** oauth.SignIn: one OAuth sign-in as `countersign auth list --json` prints it. */
export interface SignIn {
  server: string
  url: string
  issuer: string
  resource: string
  scopes: string[]
  /** RFC 3339; null when the server gave no lifetime. */
  expires_at: string | null
  status: 'signed_in' | 'expired' | 'unreadable'
  refreshable: boolean
  signed_in_at: string | null
}

/** localapi.SignInNeeded: a shim's remote server needs a person to sign in. */
export interface SignInNeeded {
  server: string
  client?: string
  url: string
  at: string
}

/** app.SignOutResult */
export interface SignOutResult {
  revoked: boolean
  note?: string
}

/** app.TimeoutSettings: approval timeouts in seconds, 0 = not set. */
export interface TimeoutSettings {
  default_seconds: number
  per_server: Record<string, number>
  /** What applies when neither the server's value nor the default is set. */
  builtin_seconds: number
  min_seconds: number
  max_seconds: number
}

/** A client config entry that references a secret (localapi.SecretReference). */
export interface SecretReference {
  client: string
  server: string
  config: string
}

/** A server launched with a secret (localapi.SecretUse). */
export interface SecretUse {
  server: string
  client?: string
  first_used_at: string
  last_used_at: string
  uses: number
  running: boolean
}

/** What is known about a keychain secret, never its value (localapi.SecretInfo). */
export interface SecretInfo {
  name: string
  note: string
  created_at: string
  updated_at: string
  last_used_at?: string
  referenced_by: SecretReference[]
  used_by: SecretUse[]
}

/** One MCP server entry of a client config (app.ClientServer); secret values masked. */
export interface ClientServer {
  name: string
  /** RFC 6901 pointer to the entry; names the server precisely in wrap/unwrap. */
  locator: string
  /** The project of a per-project entry (Claude Code). */
  scope?: string
  transport: 'stdio' | 'remote' | 'unknown'
  command?: string
  args: string[]
  url?: string
  wrapped: boolean
  /** The original command line of a wrapped server. */
  inner?: string[]
  /** Wrap would rewrite this entry now; reason says why not when false. */
  wrappable: boolean
  reason?: string
  /** Fields holding a plaintext secret ("env.API_KEY"), never their values. */
  secret_fields: string[]
}

/** One config file of a client (app.ClientConfig). */
export interface ClientConfig {
  path: string
  real_path?: string
  scope: string
  project?: string
  format: string
  read_only: boolean
  /** Set when the file cannot be read or parsed: nothing in it is changed. */
  error?: string
  servers: ClientServer[]
}

/** An AI client found on this machine (app.ClientInfo). */
export interface ClientInfo {
  id: string
  name: string
  launches_stdio: boolean
  configs: ClientConfig[]
}

/** What happened (or would happen) to one entry (clients.ServerChange). */
export interface ClientServerChange {
  server: string
  locator?: string
  scope?: string
  action: 'wrapped' | 'unwrapped' | 'unchanged' | 'skipped'
  transport?: string
  reason?: string
  status: string
  from_record?: boolean
  migrated?: { key: string; secret: string }[]
}

/** What happened (or would happen) to one config file (clients.FileChange). */
export interface ClientFileChange {
  client: string
  path: string
  real_path?: string
  symlink: boolean
  changed: boolean
  backup?: string
  /** Unified diff, secrets redacted (previews only). */
  diff?: string
  error?: string
  servers: ClientServerChange[]
}

/** The outcome of a wrap, unwrap or preview (clients.ApplyResult). */
export interface ClientApplyResult {
  dry_run: boolean
  files: ClientFileChange[]
  not_found: { client: string; server: string }[]
}

/** A copy of a config file kept before Countersign changed it (clients.Backup). */
export interface ClientBackup {
  client_id: string
  path: string
  file: string
  time: string
  sha256: string
  size: number
}

/** A server added, removed or changed outside Countersign (app.ClientsDelta). */
export interface ClientsDelta {
  kind: 'added' | 'removed' | 'changed'
  name: string
  locator: string
  scope?: string
  /** Not wrapped now, and just added or just lost its wrapping. */
  unprotected: boolean
}

/** A client config changed outside Countersign (app.ClientsEvent, the clients:changed payload). */
export interface ClientsEvent {
  client_id: string
  client_name: string
  path: string
  file: string
  servers: ClientsDelta[]
}

/** What a restore did (app.RestoreResult). */
export interface ClientRestoreResult {
  path: string
  changed: boolean
  backup?: string
}
