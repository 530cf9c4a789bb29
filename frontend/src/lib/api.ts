// The only module that imports the generated Wails bindings (wailsjs/).
// Everything else talks to Go through the Backend interface in backend.ts.
import * as Approvals from '../../wailsjs/go/app/Approvals'
import * as Rules from '../../wailsjs/go/app/Rules'
import { policy } from '../../wailsjs/go/models'
import { EventsOn } from '../../wailsjs/runtime/runtime'
import type { Backend } from './backend'
import type { BrokerEvent, PendingCall, Rule } from './types'

// The generated models type some fields loosely (time.Time as any,
// json.RawMessage as number[]); what arrives is the JSON the Go types marshal
// to, which types.ts spells out.
export const backend: Backend = {
  pending: async () => (await Approvals.Pending()) as unknown as PendingCall[],
  decide: (id, d) => Approvals.Decide(id, d),
  rules: async () => (await Rules.List()) as unknown as Rule[],
  addRule: async (r) => (await Rules.Add(policy.Rule.createFrom(r))) as unknown as Rule,
  removeRule: (id) => Rules.Remove(id),
  on: (name: string, cb: (ev: BrokerEvent) => void) => EventsOn(name, cb),
  // Wired when app/ binds them and frontend/wailsjs is regenerated.
  servers: null,
  tools: null,
  history: null,
  settings: null,
}
