// The only module that imports the generated Wails bindings (wailsjs/).
// Everything else talks to Go through the Backend interface in backend.ts.
import * as Approvals from '../../wailsjs/go/app/Approvals'
import * as Clients from '../../wailsjs/go/app/Clients'
import * as History from '../../wailsjs/go/app/History'
import * as Rules from '../../wailsjs/go/app/Rules'
import * as Secrets from '../../wailsjs/go/app/Secrets'
import * as Servers from '../../wailsjs/go/app/Servers'
import * as Settings from '../../wailsjs/go/app/Settings'
import * as SignIns from '../../wailsjs/go/app/SignIns'
import * as Tools from '../../wailsjs/go/app/Tools'
import * as Window from '../../wailsjs/go/app/Window'
import { app, localapi, policy } from '../../wailsjs/go/models'
import { EventsOn } from '../../wailsjs/runtime/runtime'
import type { Backend } from './backend'
import type { ClientApplyResult, ClientBackup, ClientInfo, ClientRestoreResult } from './types'
import type { HistoryCall, HistoryQuery, PauseMode, PendingCall, Rule, SecretInfo, ServerSession, SignIn, SignInNeeded, SignOutResult, TimeoutSettings, ToolDiff, ToolPin } from './types'

// The generated models type some fields loosely (time.Time as any,
// json.RawMessage as number[]); what arrives is the JSON the Go types marshal
// to, which types.ts spells out. A Go nil slice arrives as null: lists are
// coalesced to [] here so nothing else has to think about it.
export const backend: Backend = {
  pending: async () => ((await Approvals.Pending()) ?? []) as unknown as PendingCall[],
  decide: (id, d) => Approvals.Decide(id, d),
  rules: async () => ((await Rules.List()) ?? []) as unknown as Rule[],
  addRule: async (r) => (await Rules.Add(policy.Rule.createFrom(r))) as unknown as Rule,
  removeRule: (id) => Rules.Remove(id),
  on: (name: string, cb: (payload: never) => void) => EventsOn(name, cb as (...data: unknown[]) => void),
  reportWindow: (visible, focused) => Window.Report(visible, focused),
  servers: {
    sessions: async () => ((await Servers.Sessions()) ?? []) as unknown as ServerSession[],
  },
  tools: {
    list: async (server = '') => ((await Tools.List(server)) ?? []) as unknown as ToolPin[],
    diff: async (server, kind, name) => (await Tools.Diff(server, kind, name)) as unknown as ToolDiff,
    trust: async (server, kind, names) => (await Tools.Trust(localapi.TrustRequest.createFrom({ server, kind, names }))).trusted ?? [],
  },
  history: {
    query: async (q) => ((await History.List(historyQuery(q))) ?? []) as unknown as HistoryCall[],
    call: async (id) => (await History.Call(id)) as unknown as HistoryCall,
    export: async (q, format) => {
      const r = await History.Export(historyQuery(q), format)
      return { path: r.path ?? '', count: r.count ?? 0 }
    },
  },
  settings: {
    paused: async () => (await Settings.Pause()) as PauseMode,
    pause: (mode) => Settings.SetPause(mode),
    startAtLogin: () => Settings.StartAtLogin(),
    setStartAtLogin: (on) => Settings.SetStartAtLogin(on),
    timeouts: async () => {
      const t = await Settings.Timeouts()
      return { ...t, per_server: t.per_server ?? {} } as TimeoutSettings
    },
    setTimeout: (server, seconds) => Settings.SetTimeout(server, seconds),
    withholdFlaggedResults: () => Settings.WithholdFlaggedResults(),
    setWithholdFlaggedResults: (on) => Settings.SetWithholdFlaggedResults(on),
    autoWrap: () => Settings.AutoWrap(),
    setAutoWrap: (on) => Settings.SetAutoWrap(on),
    trustedReadOnly: async () => (await Settings.TrustedReadOnly()) ?? [],
    setTrustReadOnly: (server, on) => Settings.SetTrustReadOnly(server, on),
    namespaced: async () => (await Settings.Namespaced()) ?? [],
    setNamespaced: (client, on) => Settings.SetNamespaced(client, on),
  },
  signIns: {
    list: async () => ((await SignIns.List()) ?? []).map((s) => ({ ...s, scopes: s.scopes ?? [] })) as unknown as SignIn[],
    signOut: async (server) => (await SignIns.SignOut(server)) as SignOutResult,
    needed: async () => ((await SignIns.Needed()) ?? []) as unknown as SignInNeeded[],
    signIn: async (server, url) => {
      const s = await SignIns.SignIn(server, url)
      return { ...s, scopes: s.scopes ?? [] } as unknown as SignIn
    },
  },
  secrets: {
    list: async () => ((await Secrets.List()) ?? []) as unknown as SecretInfo[],
    set: async (name, value, note) => (await Secrets.Set(name, value, note)).created,
    remove: (name, force) => Secrets.Remove(name, force),
    reveal: (name) => Secrets.Reveal(name),
  },
  clients: {
    list: async () => ((await Clients.List()) ?? []) as unknown as ClientInfo[],
    preview: async (t, unwrap) => applyResult(await Clients.Preview(app.Target.createFrom(t), unwrap)),
    wrap: async (t) => applyResult(await Clients.Wrap(app.Target.createFrom(t))),
    unwrap: async (t) => applyResult(await Clients.Unwrap(app.Target.createFrom(t))),
    previewMigrate: async (t) => applyResult(await Clients.PreviewMigrate(app.Target.createFrom(t))),
    migrateSecrets: async (t) => applyResult(await Clients.MigrateSecrets(app.Target.createFrom(t))),
    backups: async (client) => ((await Clients.Backups(client)) ?? []) as unknown as ClientBackup[],
    restore: async (file) => (await Clients.Restore(file)) as unknown as ClientRestoreResult,
  },
}

/** Go nil slices arrive as null: a result always has its lists. */
function applyResult(r: unknown): ClientApplyResult {
  const res = r as ClientApplyResult
  return {
    dry_run: res.dry_run,
    not_found: res.not_found ?? [],
    files: (res.files ?? []).map((f) => ({ ...f, servers: f.servers ?? [] })),
  }
}

// HistoryQuery has no JSON tags on the Go side: its field names are Go's.
// Unset times stay out (an empty string is not a Go time).
function historyQuery(q: HistoryQuery): localapi.HistoryQuery {
  return localapi.HistoryQuery.createFrom({
    Server: q.server, Tool: q.tool, Client: q.client, Decision: q.decision, Search: q.search,
    Since: q.since, Until: q.until, Limit: q.limit, Before: q.before,
  })
}
