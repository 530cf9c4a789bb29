import { describe, expect, it } from 'vitest'
import { ApprovalsStore } from './approvals.svelte'
import { events } from './backend'
import { FakeBackend, pendingCall } from '../testing/fake-backend'

const call = (id: string, sec: number) => pendingCall(id, sec)

const flush = () => new Promise((r) => setTimeout(r, 0))
const ids = (s: ApprovalsStore) => s.calls.map((c) => c.id)

describe('ApprovalsStore', () => {
  it('replays events that arrive while the snapshot loads', async () => {
    const be = new FakeBackend()
    const store = new ApprovalsStore(be)
    store.start()
    // The snapshot was taken before "b" arrived and while "a" was still waiting.
    be.emit(events.approvalAdded, { kind: 'added', pending: call('b', 2) })
    be.emit(events.approvalRemoved, { kind: 'removed', pending: call('a', 1) })
    be.snapshots[0].resolve([call('a', 1)])
    await flush()
    expect(ids(store)).toEqual(['b'])
  })

  it('applies live events after loading', async () => {
    const be = new FakeBackend()
    const store = new ApprovalsStore(be)
    store.start()
    be.snapshots[0].resolve([call('a', 1)])
    await flush()
    be.emit(events.approvalAdded, { kind: 'added', pending: call('c', 3) })
    be.emit(events.approvalRemoved, { kind: 'removed', pending: call('a', 1) })
    expect(ids(store)).toEqual(['c'])
  })

  it('a resync replaces the list and only the newest load counts', async () => {
    const be = new FakeBackend()
    const store = new ApprovalsStore(be)
    store.start()
    be.emit(events.approvalsResync)
    be.snapshots[1].resolve([call('new', 5)])
    await flush()
    be.snapshots[0].resolve([call('stale', 1)])
    await flush()
    expect(ids(store)).toEqual(['new'])
  })

  it('shows an error when the snapshot fails and keeps live events', async () => {
    const be = new FakeBackend()
    const store = new ApprovalsStore(be)
    store.start()
    be.emit(events.approvalAdded, { kind: 'added', pending: call('a', 1) })
    be.snapshots[0].reject(new Error('core gone'))
    await flush()
    expect(store.error).toContain('core gone')
    expect(ids(store)).toEqual(['a'])
  })

  it('passes decisions through and shows a refused one', async () => {
    const be = new FakeBackend()
    const store = new ApprovalsStore(be)
    await store.decide('a', { action: 'deny', scope: 'once', note: 'no' })
    expect(be.decided).toEqual([['a', { action: 'deny', scope: 'once', note: 'no' }]])
    be.decideError = new Error('decide a: no pending call with that id')
    await store.decide('a', { action: 'approve', scope: 'once' })
    expect(store.error).toBe('decide a: no pending call with that id')
  })

  it('remembers decisions from removed events, newest first, once each', async () => {
    const be = new FakeBackend()
    const store = new ApprovalsStore(be)
    store.start()
    be.snapshots[0].resolve([call('a', 1), call('b', 2)])
    await flush()
    const outcome = (decision: 'approved' | 'denied') => ({ decision, decided_by: 'user', decided_at: '2026-11-26T12:00:05Z' })
    be.emit(events.approvalRemoved, { kind: 'removed', pending: call('a', 1), outcome: outcome('approved') })
    be.emit(events.approvalRemoved, { kind: 'removed', pending: call('b', 2), outcome: outcome('denied') })
    be.emit(events.approvalRemoved, { kind: 'removed', pending: call('b', 2), outcome: outcome('denied') })
    expect(store.recent.map((d) => [d.call.id, d.outcome.decision])).toEqual([
      ['b', 'denied'],
      ['a', 'approved'],
    ])
    expect(ids(store)).toEqual([])
  })

  it('a removed that overtakes its added leaves no ghost call', async () => {
    const be = new FakeBackend()
    const store = new ApprovalsStore(be)
    store.start()
    be.snapshots[0].resolve([])
    await flush()
    be.emit(events.approvalRemoved, { kind: 'removed', pending: call('a', 1) })
    be.emit(events.approvalAdded, { kind: 'added', pending: call('a', 1) })
    be.emit(events.approvalAdded, { kind: 'added', pending: call('b', 2) })
    expect(ids(store)).toEqual(['b'])
  })

  it('a refused decision re-reads the pending set', async () => {
    const be = new FakeBackend()
    const store = new ApprovalsStore(be)
    store.start()
    be.snapshots[0].resolve([call('a', 1)])
    await flush()
    be.decideError = new Error('decide a: no pending call with that id')
    await store.decide('a', { action: 'approve', scope: 'once' })
    expect(be.snapshots).toHaveLength(2)
    be.snapshots[1].resolve([])
    await flush()
    expect(ids(store)).toEqual([])
  })

  it('stops listening on cleanup', () => {
    const be = new FakeBackend()
    const stop = new ApprovalsStore(be).start()
    expect(be.count()).toBe(3)
    stop()
    expect(be.count()).toBe(0)
  })
})
