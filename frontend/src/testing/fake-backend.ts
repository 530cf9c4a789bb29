// An in-memory Backend for tests: the consumer's own interface, faked.
import type { Backend, HistoryApi, SecretsApi } from '../lib/backend'
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
  emit(name: string, payload?: BrokerEvent | HistoryCall | string) {
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
