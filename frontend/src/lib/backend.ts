// What the frontend needs from Go, as an interface: api.ts implements it over
// the generated Wails bindings, tests implement it in memory.
import type {
  BrokerEvent,
  ClientApplyResult,
  ClientBackup,
  ClientInfo,
  ClientRestoreResult,
  ClientTarget,
  ClientsEvent,
  Decision,
  ExportResult,
  HistoryCall,
  HistoryQuery,
  NewRule,
  PauseMode,
  PendingCall,
  Rule,
  SecretInfo,
  ServerSession,
  SignIn,
  SignInNeeded,
  SignOutResult,
  TimeoutSettings,
  ToolDiff,
  ToolPin,
} from './types'

/** Event names emitted by app/events.go. */
export const events = {
  approvalAdded: 'approvals:added',
  approvalRemoved: 'approvals:removed',
  approvalsResync: 'approvals:resync',
  rulesChanged: 'rules:changed',
  /** Payload: the pause state now in force. */
  pauseChanged: 'pause:changed',
  /** Payload: why the core's LocalAPI stopped (shims now deny their calls). */
  coreError: 'core:error',
  /** Payload: the id of a waiting call picked in the tray or a notification. */
  approvalFocus: 'approvals:focus',
  /** Payload: a call the core just recorded, or an earlier one updated with its result. */
  historyAdded: 'history:added',
  /** Recorded calls may have been missed: re-read the history. */
  historyResync: 'history:resync',
  /** A client config changed outside Countersign (payload: the watch event); re-read the clients. */
  clientsChanged: 'clients:changed',
  /** The person clicked a new-unprotected-server notification (payload: {client_id, locator}). */
  clientsFocus: 'clients:focus',
  /** Payload: a SignInNeeded (a shim's remote server needs a sign-in). */
  signInNeeded: 'signins:needed',
  /** A click on a sign-in notification: show the Servers page. */
  signInsFocus: 'signins:focus',
} as const

/** The wrapped servers the core sees (app.Servers binding). */
export interface ServersApi {
  sessions(): Promise<ServerSession[]>
}

/** Tool review: pins, diffs, trust (app.Tools binding). */
export interface ToolsApi {
  list(server?: string): Promise<ToolPin[]>
  diff(server: string, kind: string, name: string): Promise<ToolDiff>
  /** Accepts the current definitions; returns the names trusted. */
  trust(server: string, kind: string, names: string[]): Promise<string[]>
}

/** The call history (app.History binding). */
export interface HistoryApi {
  /** One page, newest first; q.before (a call id) continues after that call. */
  query(q: HistoryQuery): Promise<HistoryCall[]>
  /** One call in full, with its result excerpt. */
  call(id: string): Promise<HistoryCall>
  /**
   * Asks for a file (native save dialog) and writes every call matching q
   * to it, like `countersign history export`; path is '' when cancelled.
   */
  export(q: HistoryQuery, format: 'jsonl' | 'csv'): Promise<ExportResult>
}

/** Pause and start at login (app.Settings binding). */
export interface SettingsApi {
  paused(): Promise<PauseMode>
  pause(mode: PauseMode): Promise<void>
  startAtLogin(): Promise<boolean>
  setStartAtLogin(on: boolean): Promise<void>
  /** Approval timeouts in seconds (app.Settings.Timeouts). */
  timeouts(): Promise<TimeoutSettings>
  /** Sets a server's timeout ('' for the default); 0 unsets it. */
  setTimeout(server: string, seconds: number): Promise<void>
  /** Whether results with hidden instructions are withheld from the client (else only flagged). */
  withholdFlaggedResults(): Promise<boolean>
  setWithholdFlaggedResults(on: boolean): Promise<void>
  /** Whether a server that appears unprotected in a client config is wrapped at once. */
  autoWrap(): Promise<boolean>
  setAutoWrap(on: boolean): Promise<void>
  /** Servers whose readOnlyHint claims allow calls without asking. */
  trustedReadOnly(): Promise<string[]>
  setTrustReadOnly(server: string, on: boolean): Promise<void>
  /** Clients (ids) whose tools are shown as SERVER__TOOL. */
  namespaced(): Promise<string[]>
  setNamespaced(client: string, on: boolean): Promise<void>
}

/** Keychain secrets and their metadata (app.Secrets binding). */
export interface SecretsApi {
  list(): Promise<SecretInfo[]>
  /** Stores or replaces the value; resolves true when the secret is new. */
  set(name: string, value: string, note: string): Promise<boolean>
  /** Refused while a config references it or a running server uses it, unless force. */
  remove(name: string, force: boolean): Promise<void>
  /** The value from the keychain: call only when the person asks to see it. */
  reveal(name: string): Promise<string>
}

/** AI clients, their configs and servers; wrap and unwrap (app.Clients binding). */
export interface ClientsApi {
  list(): Promise<ClientInfo[]>
  /** What wrap (or unwrap) would change, as redacted diffs; writes nothing. */
  preview(target: ClientTarget, unwrap: boolean): Promise<ClientApplyResult>
  wrap(target: ClientTarget): Promise<ClientApplyResult>
  unwrap(target: ClientTarget): Promise<ClientApplyResult>
  /** What migrateSecrets would change, as redacted diffs; writes and stores nothing. One server. */
  previewMigrate(target: ClientTarget): Promise<ClientApplyResult>
  /** Wraps one server and moves its plaintext env secrets into the keychain (secret:NAME left in place). */
  migrateSecrets(target: ClientTarget): Promise<ClientApplyResult>
  /** Backups of client's config files ('' = every client), newest first. */
  backups(client: string): Promise<ClientBackup[]>
  /** Puts a listed backup back over its file (the current bytes are backed up first). */
  restore(backupFile: string): Promise<ClientRestoreResult>
}

/** Remote servers signed in with OAuth (app.SignIns binding): never tokens. */
export interface SignInsApi {
  list(): Promise<SignIn[]>
  /** Servers whose shim reported that they need a sign-in. */
  needed(): Promise<SignInNeeded[]>
  /** Opens the system browser for the server's sign-in and waits for it (minutes). */
  signIn(server: string, url: string): Promise<SignIn>
  /** Revokes (best effort) and forgets the sign-in; resolves to what the server said. */
  signOut(server: string): Promise<SignOutResult>
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
  on(name: 'clients:changed', cb: (ev: ClientsEvent) => void): () => void
  on(name: 'clients:focus', cb: (target: { client_id: string; locator: string }) => void): () => void
  on(name: 'pause:changed' | 'core:error' | 'approvals:focus', cb: (value: string) => void): () => void
  on(name: 'history:added', cb: (call: HistoryCall) => void): () => void
  on(name: 'history:resync', cb: () => void): () => void
  on(name: 'signins:needed', cb: (s: SignInNeeded) => void): () => void
  on(name: 'signins:focus', cb: () => void): () => void
  /** Tells Go whether the window is visible and focused (app.Window.Report). */
  reportWindow(visible: boolean, focused: boolean): Promise<void>
  // A section whose service is null says so instead of showing anything.
  servers: ServersApi | null
  tools: ToolsApi | null
  history: HistoryApi | null
  settings: SettingsApi | null
  secrets: SecretsApi | null
  signIns: SignInsApi | null
  clients: ClientsApi | null
}

/** The text of a rejected binding call (Go returns the error's message). */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message
  return String(e)
}
