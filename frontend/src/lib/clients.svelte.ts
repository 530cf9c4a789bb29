import { errorText, type Backend, type ClientsApi } from './backend'
import type { ClientApplyResult, ClientBackup, ClientInfo, ClientServer, ClientTarget, ClientsEvent } from './types'

/** What a pending change does: wrap, unwrap, or wrap while moving secrets. */
export type ChangeKind = 'wrap' | 'unwrap' | 'migrate'

/** A change the person asked for, previewed, waiting for a confirmation. */
export interface Proposal {
  kind: ChangeKind
  /** The client, the one config file (absent: all of them) and the servers' locators ([] = every server). */
  target: ClientTarget
  /** What the confirmation says is about to happen. */
  label: string
  result: ClientApplyResult
}

/** A server whose config holds plaintext secrets (key names only). */
export interface PlaintextFinding {
  client: string
  clientName: string
  path: string
  server: ClientServer
  /** The fields holding the secrets, e.g. "env.OPENAI_API_KEY". */
  fields: string[]
}

/** A server that appeared (or lost its wrapping) outside Countersign and is not protected. */
export interface Attention {
  client: string
  clientName: string
  name: string
  locator: string
  path: string
  added: boolean
}

/** The sentence for the outcome of a change, or the failure the person must see. */
export function outcome(kind: ChangeKind, r: ClientApplyResult): { ok: boolean; text: string } {
  const problems: string[] = []
  const done: string[] = []
  for (const f of r.files) {
    if (f.error) problems.push(`${f.path}: ${f.error}`)
    for (const s of f.servers) {
      if (s.action === 'wrapped' || s.action === 'unwrapped') done.push(`${s.server}: ${s.status}`)
      else if (s.action === 'skipped') problems.push(`${s.server}: ${s.status}`)
    }
  }
  for (const n of r.not_found) problems.push(`${n.server}: not found in ${n.client}`)
  if (problems.length) return { ok: false, text: problems.join('; ') }
  if (!done.length) return { ok: true, text: kind === 'unwrap' ? 'Nothing to unwrap.' : 'Nothing to wrap: already protected.' }
  return { ok: true, text: `${done.join('; ')}. Restart the client, or reload its MCP servers, to apply.` }
}

/**
 * The Clients page: the clients found on this machine, their servers and
 * backups. Every write goes through a preview the person confirms. The list
 * is re-read after each change made here and on each clients:changed event
 * (a change made outside Countersign) — never polled.
 */
export class ClientsStore {
  clients = $state<ClientInfo[]>([])
  loaded = $state(false)
  error = $state<string | null>(null)
  /** The outcome of the last change made here. */
  message = $state<string | null>(null)
  proposal = $state<Proposal | null>(null)
  busy = $state(false)
  backups = $state<ClientBackup[]>([])
  /** New unprotected servers the watcher saw, until wrapped or ignored. */
  attention = $state<Attention[]>([])
  /** The server a notification click pointed at ("client\nlocator"), to scroll to. */
  focus = $state<string | null>(null)
  #api: ClientsApi

  constructor(api: ClientsApi) {
    this.#api = api
  }

  /** Servers whose config holds plaintext secrets, by client and file. */
  plaintext = $derived.by((): PlaintextFinding[] => {
    const out: PlaintextFinding[] = []
    for (const c of this.clients)
      for (const cfg of c.configs)
        for (const s of cfg.servers)
          if (s.secret_fields.length) out.push({ client: c.id, clientName: c.name, path: cfg.path, server: s, fields: s.secret_fields })
    return out
  })

  async load(): Promise<void> {
    try {
      const [list, backups] = await Promise.all([this.#api.list(), this.#api.backups('')])
      this.clients = list ?? []
      this.backups = backups ?? []
      this.error = null
    } catch (e) {
      this.error = `could not read the client configs: ${errorText(e)}`
    }
    this.loaded = true
  }

  /**
   * Re-reads on every clients:changed event and keeps its new unprotected
   * servers for a Wrap / Ignore choice; returns the unsubscribe.
   */
  listen(backend: Pick<Backend, 'on'>): () => void {
    const offChanged = backend.on('clients:changed', (ev) => {
      this.#notice(ev)
      void this.load()
    })
    const offFocus = backend.on('clients:focus', (t) => (this.focus = `${t.client_id}\n${t.locator}`))
    return () => {
      offChanged()
      offFocus()
    }
  }

  #notice(ev: ClientsEvent | undefined): void {
    if (!ev?.servers) return
    const key = (a: { client: string; locator: string }) => `${a.client}\n${a.locator}`
    const have = new Set(this.attention.map(key))
    const fresh = ev.servers
      .filter((s) => s.unprotected)
      .map((s) => ({ client: ev.client_id, clientName: ev.client_name, name: s.name, locator: s.locator, path: ev.path, added: s.kind === 'added' }))
      .filter((a) => !have.has(key(a)))
    const gone = new Set(ev.servers.filter((s) => s.kind === 'removed').map((s) => `${ev.client_id}\n${s.locator}`))
    this.attention = [...this.attention.filter((a) => !gone.has(key(a))), ...fresh]
  }

  /** Forgets a new unprotected server without wrapping it. */
  ignore(a: Attention): void {
    this.attention = this.attention.filter((x) => !(x.client === a.client && x.locator === a.locator))
  }

  /** Attention items whose server is still there and still not protected. */
  pending = $derived.by((): Attention[] =>
    this.attention.filter((a) => {
      const c = this.clients.find((x) => x.id === a.client)
      if (!c) return !this.loaded
      return c.configs.some((f) => f.servers.some((s) => s.locator === a.locator && !s.wrapped))
    }),
  )

  /** Previews a change; it runs only after confirm(). */
  async propose(kind: ChangeKind, target: ClientTarget, label: string): Promise<void> {
    this.busy = true
    this.message = null
    try {
      const result = kind === 'migrate' ? await this.#api.previewMigrate(target) : await this.#api.preview(target, kind === 'unwrap')
      this.proposal = { kind, target, label, result }
      this.error = null
    } catch (e) {
      this.error = `could not preview: ${errorText(e)}`
    } finally {
      this.busy = false
    }
  }

  cancel(): void {
    this.proposal = null
  }

  /** Runs the previewed change; a failure keeps the proposal and says why. */
  async confirm(): Promise<boolean> {
    const p = this.proposal
    if (!p) return false
    this.busy = true
    let failure: string | null = null
    let done = ''
    try {
      let r: ClientApplyResult
      if (p.kind === 'unwrap') r = await this.#api.unwrap(p.target)
      else if (p.kind === 'migrate') r = await this.#api.migrateSecrets(p.target)
      else r = await this.#api.wrap(p.target)
      const o = outcome(p.kind, r)
      if (o.ok) done = o.text
      else failure = `${p.label}: ${o.text}`
    } catch (e) {
      failure = `${p.label} failed: ${errorText(e)}`
    }
    await this.load() // whatever happened, show the files as they are now
    this.busy = false
    if (failure === null) this.proposal = null
    this.error = failure ?? this.error
    this.message = failure === null ? done : null
    return failure === null
  }

  /** Puts a backup back over its config file. */
  async restore(b: ClientBackup): Promise<boolean> {
    this.busy = true
    let failure: string | null = null
    let done = ''
    try {
      const r = await this.#api.restore(b.file)
      done = r.changed ? `Restored ${r.path}. The bytes it had until now are kept as a backup too.` : `${r.path} already holds that backup; nothing changed.`
    } catch (e) {
      failure = `could not restore ${b.path}: ${errorText(e)}`
    }
    await this.load()
    this.busy = false
    this.error = failure ?? this.error
    this.message = failure === null ? done : null
    return failure === null
  }
}

/** Servers "Protect all" would wrap: stdio entries not wrapped yet. */
export function unprotected(c: ClientInfo): ClientServer[] {
  return c.configs.filter((f) => !f.error && !f.read_only).flatMap((f) => f.servers.filter((s) => s.wrappable && !s.wrapped))
}
