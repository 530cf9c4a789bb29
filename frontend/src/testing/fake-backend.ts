// An in-memory Backend for tests: the consumer's own interface, faked.
import type { Backend, ClientsApi, HistoryApi, SecretsApi, SignInsApi } from '../lib/backend'
import type { ClientApplyResult, ClientBackup, ClientInfo, ClientRestoreResult, ClientServer, ClientTarget } from '../lib/types'
import { matchesQuery, newerFirst } from '../lib/historyquery'
import type { BrokerEvent, Decision, ExportResult, HistoryCall, HistoryQuery, NewRule, PendingCall, Rule, SecretInfo } from '../lib/types'

export function pendingCall(id: string, sec: number, over: Partial<PendingCall> = {}): PendingCall {
  const at = new Date(Date.UTC(2026, 10, 26, 12, 0, sec)).toISOString()
  const deadline = new Date(Date.UTC(2026, 10, 26, 12, 0, sec + 55)).toISOString()
  return { id, session_id: 'session-1', client: 'claude-code', server: 'fs', tool: 'write_file', requested_at: at, deadline, ...over }
}

/** pending() resolves when the test says so (snapshots), or at once with `autoPending`. */
export class FakeBackend implements Backend {
  listeners = new Map<string, Set<(payload: never) => void>>()
  snapshots: { resolve: (c: PendingCall[]) => void; reject: (e: Error) => void }[] = []
  autoPending: PendingCall[] | null = null
  decided: [string, Decision][] = []
  decideError: Error | null = null
  ruleList: Rule[] = []
  added: NewRule[] = []
  addError: Error | null = null
  windowReports: [boolean, boolean][] = []
  servers = null
  tools = null
  history: HistoryApi | null = null
  settings = null
  secrets: SecretsApi | null = null
  signIns: SignInsApi | null = null
  clients: ClientsApi | null = null

  async reportWindow(visible: boolean, focused: boolean): Promise<void> {
    this.windowReports.push([visible, focused])
  }

  pending(): Promise<PendingCall[]> {
    if (this.autoPending) return Promise.resolve(this.autoPending)
    return new Promise((resolve, reject) => this.snapshots.push({ resolve, reject }))
  }
  async decide(id: string, d: Decision): Promise<void> {
    if (this.decideError) throw this.decideError
    this.decided.push([id, d])
  }
  async rules(): Promise<Rule[]> {
    return this.ruleList
  }
  async addRule(r: NewRule): Promise<Rule> {
    if (this.addError) throw this.addError
    this.added.push(r)
    const rule = { ...r, id: `r${this.added.length}`, created_at: '2026-11-26T12:00:00Z' }
    this.ruleList = [...this.ruleList, rule]
    return rule
  }
  async removeRule(id: string): Promise<void> {
    this.ruleList = this.ruleList.filter((r) => r.id !== id)
  }
  on(name: string, cb: (payload: never) => void): () => void {
    const set = this.listeners.get(name) ?? new Set()
    set.add(cb)
    this.listeners.set(name, set)
    return () => set.delete(cb)
  }
  emit(name: string, payload?: BrokerEvent | HistoryCall | string | object) {
    for (const cb of this.listeners.get(name) ?? []) cb(payload as never)
  }
  count() {
    let n = 0
    for (const s of this.listeners.values()) n += s.size
    return n
  }
}

export function secretInfo(name: string, over: Partial<SecretInfo> = {}): SecretInfo {
  const at = '2026-11-26T12:00:00Z'
  return { name, note: '', created_at: at, updated_at: at, referenced_by: [], used_by: [], ...over }
}

/** An in-memory SecretsApi: values are kept apart from the listed metadata. */
export class FakeSecrets implements SecretsApi {
  list_: SecretInfo[] = []
  values = new Map<string, string>()
  sets: [string, string, string][] = []
  removed: [string, boolean][] = []
  reveals: string[] = []
  setError: Error | null = null
  removeError: Error | null = null

  async list(): Promise<SecretInfo[]> {
    return this.list_
  }
  async set(name: string, value: string, note: string): Promise<boolean> {
    if (this.setError) throw this.setError
    this.sets.push([name, value, note])
    this.values.set(name, value)
    const created = !this.list_.some((s) => s.name === name)
    this.list_ = [...this.list_.filter((s) => s.name !== name), secretInfo(name, { note })]
    return created
  }
  async remove(name: string, force: boolean): Promise<void> {
    if (this.removeError) throw this.removeError
    this.removed.push([name, force])
    this.list_ = this.list_.filter((s) => s.name !== name)
  }
  async reveal(name: string): Promise<string> {
    this.reveals.push(name)
    const v = this.values.get(name)
    if (v === undefined) throw new Error(`reveal ${name}: secret not found`)
    return v
  }
}

export function clientServer(name: string, over: Partial<ClientServer> = {}): ClientServer {
  return {
    name,
    locator: `/mcpServers/${name}`,
    transport: 'stdio',
    command: 'npx',
    args: ['-y', `@example/${name}`],
    wrapped: false,
    wrappable: true,
    secret_fields: [],
    ...over,
  }
}

/**
 * An in-memory ClientsApi over one Claude Desktop-like file: wrap and unwrap
 * flip the servers' state, every call is recorded, a backup is listed after
 * the first change; migrateSecrets also clears the server's secret fields.
 */
export class FakeClients implements ClientsApi {
  list_: ClientInfo[] = []
  backups_: ClientBackup[] = []
  calls: string[] = []
  wrapError: Error | null = null

  constructor(list: ClientInfo[] = []) {
    this.list_ = list
  }

  async previewMigrate(t: ClientTarget): Promise<ClientApplyResult> {
    const [server] = t.servers
    this.calls.push(`preview-migrate ${t.client} ${server}`)
    return this.#flip(t, true, true)
  }
  async migrateSecrets(t: ClientTarget): Promise<ClientApplyResult> {
    const [server] = t.servers
    this.calls.push(`migrate ${t.client} ${server}`)
    const r = this.#flip(t, true, false)
    for (const c of this.list_) for (const f of c.configs) for (const s of f.servers) if (s.locator === server || s.name === server) s.secret_fields = []
    return r
  }

  async list(): Promise<ClientInfo[]> {
    this.calls.push('list')
    return structuredClone(this.list_)
  }
  async preview(t: ClientTarget, unwrap: boolean): Promise<ClientApplyResult> {
    this.calls.push(`preview ${t.client} ${t.servers.join(',')} ${unwrap ? 'unwrap' : 'wrap'}`)
    return this.#flip(t, !unwrap, true)
  }
  async wrap(t: ClientTarget): Promise<ClientApplyResult> {
    this.calls.push(`wrap ${t.client} ${t.servers.join(',')}`)
    if (this.wrapError) throw this.wrapError
    return this.#flip(t, true, false)
  }
  async unwrap(t: ClientTarget): Promise<ClientApplyResult> {
    this.calls.push(`unwrap ${t.client} ${t.servers.join(',')}`)
    return this.#flip(t, false, false)
  }
  async backups(client: string): Promise<ClientBackup[]> {
    return this.backups_.filter((b) => !client || b.client_id === client)
  }
  async restore(file: string): Promise<ClientRestoreResult> {
    this.calls.push(`restore ${file}`)
    const b = this.backups_.find((x) => x.file === file)
    if (!b) throw new Error(`no backup ${file}: restore only a backup from the list`)
    return { path: b.path, changed: true }
  }

  #flip({ client, path, servers }: ClientTarget, wrap: boolean, dry: boolean): ClientApplyResult {
    const res: ClientApplyResult = { dry_run: dry, files: [], not_found: [] }
    const c = this.list_.find((x) => x.id === client)
    if (!c) throw new Error(`no config file found for ${client}`)
    for (const cfg of c.configs) {
      if (path && cfg.path !== path) continue
      const picked = cfg.servers.filter((s) => servers.length === 0 || servers.includes(s.locator) || servers.includes(s.name))
      if (!picked.length) continue
      const file = { client, path: cfg.path, symlink: false, changed: false, diff: '', servers: [] as ClientApplyResult['files'][0]['servers'] }
      for (const s of picked) {
        if (!s.wrappable && !s.wrapped) {
          file.servers.push({ server: s.name, locator: s.locator, action: 'skipped', status: `not wrapped: ${s.reason ?? ''}` })
          continue
        }
        if (s.wrapped === wrap) {
          file.servers.push({ server: s.name, locator: s.locator, action: 'unchanged', status: wrap ? 'already wrapped' : 'not wrapped' })
          continue
        }
        file.changed = true
        file.diff += `-      "command": "${wrap ? s.command : '/bin/countersign'}",\n+      "command": "${wrap ? '/bin/countersign' : s.command}",\n`
        const action = wrap ? 'wrapped' : 'unwrapped'
        file.servers.push({ server: s.name, locator: s.locator, action, status: (dry ? 'would be ' : '') + action })
        if (!dry) {
          s.wrapped = wrap
          s.wrappable = !wrap
          if (!this.backups_.some((b) => b.path === cfg.path))
            this.backups_.push({ client_id: client, path: cfg.path, file: `/state/backups/${client}/1.bak`, time: '2026-11-26T12:00:00Z', sha256: 'ab', size: 10 })
        }
      }
      if (!dry) file.diff = ''
      res.files.push(file)
    }
    return res
  }
}

/** A recorded call at 2026-11-26 12:00 plus sec seconds (UTC). */
export function historyCall(id: string, sec: number, over: Partial<HistoryCall> = {}): HistoryCall {
  const at = new Date(Date.UTC(2026, 10, 26, 12, 0, 0) + sec * 1000).toISOString()
  return { id, requested_at: at, client: 'claude-code', server: 'fs', tool: 'read_file', arguments: { path: `/tmp/${id}` }, decision: 'approved', decided_by: 'user', ...over }
}

/** An in-memory HistoryApi: filters and pages like the store (newest first, Before cursor). */
export class FakeHistory implements HistoryApi {
  all: HistoryCall[] = []
  queries: HistoryQuery[] = []
  exports: [HistoryQuery, string][] = []
  exportResult: ExportResult = { path: '/home/u/calls.csv', count: 0 }
  /** When set, query() waits for release() (to test answers arriving late). */
  hold = false
  #held: (() => void)[] = []

  constructor(calls: HistoryCall[] = []) {
    this.all = calls
  }
  release() {
    for (const r of this.#held.splice(0)) r()
  }
  async query(q: HistoryQuery): Promise<HistoryCall[]> {
    this.queries.push(q)
    if (this.hold) await new Promise<void>((r) => this.#held.push(r))
    let rows = this.all.filter((c) => matchesQuery(c, q)).sort(newerFirst)
    if (q.before) {
      const i = rows.findIndex((c) => c.id === q.before)
      if (i < 0) throw new Error(`history: unknown cursor "${q.before}"`)
      rows = rows.slice(i + 1)
    }
    return rows.slice(0, q.limit || 100)
  }
  async call(id: string): Promise<HistoryCall> {
    const c = this.all.find((x) => x.id === id)
    if (!c) throw new Error(`no call "${id}" in the history`)
    return { ...c, result_excerpt: c.result_excerpt ?? { content: [{ type: 'text', text: `result of ${id}` }] } }
  }
  async export(q: HistoryQuery, format: string): Promise<ExportResult> {
    this.exports.push([q, format])
    return this.exportResult
  }
}
