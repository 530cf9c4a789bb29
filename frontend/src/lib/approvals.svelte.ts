import { errorText, events, type Backend } from './backend'
import { applyEvent, sortCalls } from './pending'
import type { BrokerEvent, Decided, Decision, PendingCall } from './types'

/** How many recent decisions the window remembers (newest first). */
export const RECENT_MAX = 50

/** How many ids of ended calls are remembered to ignore a late "added". */
const GONE_MAX = 4096

/**
 * The calls waiting for a person, kept current from the broker's events.
 *
 * Loading races with events: the listeners go on first, and events that
 * arrive while a snapshot is being read are queued and replayed onto it
 * (replaying is idempotent, see applyEvent), so nothing is lost or resurrected.
 *
 * Events may also arrive out of order: the Wails dev server writes each
 * event from a goroutine of its own, so a call's "removed" can overtake its
 * "added". Ids of ended calls are remembered (call ids are never reused) and
 * a late "added" for one is dropped; a refused decision re-reads the set.
 */
export class ApprovalsStore {
  calls = $state<PendingCall[]>([])
  /** Calls that stopped waiting while this window was open, newest first. */
  recent = $state<Decided[]>([])
  error = $state<string | null>(null)

  #api: Pick<Backend, 'pending' | 'decide' | 'on'>
  #queue: BrokerEvent[] | null = null
  #gone = new Set<string>()
  #generation = 0

  constructor(api: Pick<Backend, 'pending' | 'decide' | 'on'>) {
    this.#api = api
  }

  /** Starts listening and loads the pending set; returns the cleanup. */
  start(): () => void {
    const offs = [
      this.#api.on(events.approvalAdded, (ev) => this.#event(ev)),
      this.#api.on(events.approvalRemoved, (ev) => this.#event(ev)),
      this.#api.on(events.approvalsResync, () => void this.load()),
    ]
    void this.load()
    return () => offs.forEach((off) => off())
  }

  /** Reads the pending set again; events arriving meanwhile are kept. */
  async load(): Promise<void> {
    const gen = ++this.#generation
    this.#queue ??= []
    let snapshot: PendingCall[]
    try {
      snapshot = await this.#api.pending()
    } catch (e) {
      if (gen === this.#generation) {
        this.error = `could not read pending calls: ${errorText(e)}`
        this.#flush(this.calls)
      }
      return
    }
    if (gen !== this.#generation) return // a newer load owns the queue
    this.#flush(sortCalls(snapshot))
  }

  #flush(base: PendingCall[]) {
    let calls = base.filter((c) => !this.#gone.has(c.id))
    for (const ev of this.#queue ?? []) calls = applyEvent(calls, ev)
    this.#queue = null
    this.calls = calls
  }

  #event(ev: BrokerEvent) {
    if (ev.kind === 'added' && this.#gone.has(ev.pending.id)) return
    if (ev.kind === 'removed') {
      this.#gone.add(ev.pending.id)
      if (this.#gone.size > GONE_MAX) this.#gone.delete(this.#gone.values().next().value!)
    }
    if (ev.kind === 'removed' && ev.outcome && !this.recent.some((d) => d.call.id === ev.pending.id)) {
      this.recent = [{ call: ev.pending, outcome: ev.outcome }, ...this.recent].slice(0, RECENT_MAX)
    }
    if (this.#queue) this.#queue.push(ev)
    else this.calls = applyEvent(this.calls, ev)
  }

  /** Decides a call; the broker's "removed" event takes it off the list. */
  async decide(id: string, d: Decision): Promise<void> {
    try {
      await this.#api.decide(id, d)
      this.error = null
    } catch (e) {
      this.error = errorText(e)
      // Most often the call ended meanwhile (CLI, timeout, cancel) and its
      // event is still on the way: re-read rather than show a stale call.
      void this.load()
    }
  }
}
