import { describe, expect, it } from 'vitest'
import { FakeBackend, FakeHistory, historyCall } from '../testing/fake-backend'
import { HistoryStore, PAGE } from './history.svelte'
import { events } from './backend'

/** n calls, one a second, c0 the oldest. */
const many = (n: number) => Array.from({ length: n }, (_, i) => historyCall(`c${i}`, i, { server: i % 2 ? 'git' : 'fs' }))

function setup(calls = many(10)) {
  const api = new FakeHistory(calls)
  const be = new FakeBackend()
  const store = new HistoryStore(api)
  const stop = store.start(be.on.bind(be))
  return { api, be, store, stop }
}

const settle = () => new Promise((r) => setTimeout(r, 0))

describe('paging', () => {
  it('loads newest first, then pages on with the Before cursor until done', async () => {
    const { api, store } = setup(many(PAGE * 2 + 5))
    await settle()
    expect(store.calls).toHaveLength(PAGE)
    expect(store.calls[0].id).toBe(`c${PAGE * 2 + 4}`)
    expect(store.done).toBe(false)
    expect(api.queries[0]).toEqual({ limit: PAGE })
    await store.loadMore()
    expect(api.queries[1]).toEqual({ limit: PAGE, before: store.calls[PAGE - 1].id })
    await store.loadMore()
    expect(store.calls).toHaveLength(PAGE * 2 + 5)
    expect(store.done).toBe(true)
    expect(store.calls.at(-1)?.id).toBe('c0')
    await store.loadMore() // done: no more queries
    expect(api.queries).toHaveLength(3)
  })

  it('applies the filters as the query and starts over', async () => {
    const { api, store } = setup()
    await settle()
    store.filters.server = ' git '
    store.filters.search = 'tmp'
    expect(store.apply()).toBe(true)
    await settle()
    expect(api.queries.at(-1)).toEqual({ server: 'git', search: 'tmp', limit: PAGE })
    expect(store.calls.map((c) => c.id)).toEqual(['c9', 'c7', 'c5', 'c3', 'c1'])
  })

  it('refuses filters that make no query, keeping what is shown', async () => {
    const { api, store } = setup()
    await settle()
    store.filters.since = 'nonsense'
    expect(store.apply()).toBe(false)
    expect(store.error).toMatch(/since/)
    expect(store.calls).toHaveLength(10)
    expect(api.queries).toHaveLength(1)
  })

  it('drops an answer to a query that was replaced meanwhile', async () => {
    const { api, store } = setup()
    await settle()
    api.hold = true
    store.filters.server = 'fs'
    store.apply()
    store.filters.server = 'git'
    store.apply()
    api.release()
    await settle()
    await settle()
    expect(store.calls.every((c) => c.server === 'git')).toBe(true)
  })
})

describe('live calls', () => {
  it('prepends a matching call at the top, keeping the selected row selected', async () => {
    const { be, store } = setup()
    await settle()
    store.select(3)
    const sel = store.calls[3].id
    be.emit(events.historyAdded, historyCall('new', 100))
    expect(store.calls[0].id).toBe('new')
    expect(store.calls[store.selected].id).toBe(sel)
  })

  it('leaves out a call that does not match the filters', async () => {
    const { be, store } = setup()
    await settle()
    store.filters.server = 'git'
    store.filters.search = 'tmp'
    store.apply()
    await settle()
    const n = store.calls.length
    be.emit(events.historyAdded, historyCall('other-server', 100, { server: 'fs' }))
    be.emit(events.historyAdded, historyCall('no-word', 101, { server: 'git', arguments: { x: 'y' } }))
    expect(store.calls).toHaveLength(n)
    be.emit(events.historyAdded, historyCall('yes', 102, { server: 'git' }))
    expect(store.calls[0].id).toBe('yes')
  })

  it('holds calls while scrolled away from the top, then puts them in place', async () => {
    const { be, store } = setup()
    await settle()
    store.atTop = false
    be.emit(events.historyAdded, historyCall('n1', 100))
    be.emit(events.historyAdded, historyCall('n2', 101))
    expect(store.calls[0].id).toBe('c9')
    expect(store.unseen.map((c) => c.id)).toEqual(['n1', 'n2'])
    store.showUnseen()
    expect(store.unseen).toEqual([])
    expect(store.calls.slice(0, 3).map((c) => c.id)).toEqual(['n2', 'n1', 'c9'])
  })

  it('updates a shown call in place when its result arrives, also in the open detail', async () => {
    const { api, be, store } = setup()
    await settle()
    await store.open(2)
    const id = store.calls[2].id
    api.all = api.all.map((c) => (c.id === id ? { ...c, result_status: 'ok' } : c))
    be.emit(events.historyAdded, { ...store.calls[2], result_status: 'ok' })
    expect(store.calls[2].result_status).toBe('ok')
    expect(store.calls).toHaveLength(10)
    await settle()
    expect(store.detail?.result_status).toBe('ok')
  })

  it('puts an older call in its place by time, and leaves one older than all loaded to paging', async () => {
    const { be, store } = setup(many(PAGE + 10))
    await settle()
    be.emit(events.historyAdded, historyCall('mid', PAGE + 5.5))
    const at = store.calls.findIndex((c) => c.id === 'mid')
    expect(store.calls[at - 1].id).toBe(`c${PAGE + 6}`)
    expect(store.calls[at + 1].id).toBe(`c${PAGE + 5}`)
    be.emit(events.historyAdded, historyCall('ancient', -100))
    expect(store.calls.some((c) => c.id === 'ancient')).toBe(false)
  })

  it('re-reads the first page on resync, and stops listening after cleanup', async () => {
    const { api, be, store, stop } = setup()
    await settle()
    api.all = [...api.all, historyCall('missed', 200)]
    be.emit(events.historyResync)
    await settle()
    expect(store.calls[0].id).toBe('missed')
    stop()
    expect(be.count()).toBe(0)
    be.emit(events.historyAdded, historyCall('late', 300))
    expect(store.calls[0].id).toBe('missed')
  })
})

describe('detail and export', () => {
  it('opens the full call (result excerpt) and closes', async () => {
    const { store } = setup()
    await settle()
    await store.open(0)
    expect(store.detail?.id).toBe('c9')
    expect(store.detail?.result_excerpt).toEqual({ content: [{ type: 'text', text: 'result of c9' }] })
    store.close()
    expect(store.detail).toBeNull()
  })

  it('exports with the applied query and says where', async () => {
    const { api, store } = setup()
    await settle()
    store.filters.decision = 'denied'
    store.apply()
    api.exportResult = { path: '/home/u/calls.csv', count: 1234 }
    expect(await store.exportAs('csv')).toBe(`Exported ${(1234).toLocaleString()} calls to /home/u/calls.csv`)
    expect(api.exports).toEqual([[{ decision: 'denied' }, 'csv']])
    api.exportResult = { path: '', count: 0 }
    expect(await store.exportAs('jsonl')).toBeNull()
  })
})
