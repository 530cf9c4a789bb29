// The History page's state: the filters, the calls loaded so far (newest
// first, page by page through the Before cursor), calls that arrive live,
// the selected row and its detail.
import { errorText, events, type Backend, type HistoryApi } from './backend'
import { emptyFilters, matchesQuery, newerFirst, toQuery, type Filters } from './historyquery'
import type { HistoryCall, HistoryQuery } from './types'

/** Calls fetched per page (the binding allows up to 1000). */
export const PAGE = 200

export class HistoryStore {
  filters = $state<Filters>(emptyFilters())
  /** The query the loaded calls answer (the filters as last applied). */
  query = $state.raw<HistoryQuery>({})
  /** Loaded calls, newest first. Raw: 100k rows must not become proxies. */
  calls = $state.raw<HistoryCall[]>([])
  /** Every matching call is loaded. */
  done = $state(false)
  loading = $state(false)
  error = $state<string | null>(null)
  /** Matching calls recorded while the person was scrolled away from the top. */
  unseen = $state.raw<HistoryCall[]>([])
  /** Index of the selected row, -1 for none. */
  selected = $state(-1)
  /** The opened call, read in full (with its result excerpt). */
  detail = $state.raw<HistoryCall | null>(null)
  detailError = $state<string | null>(null)
  /** Whether the table shows its first rows: live calls go straight in then. */
  atTop = true

  #api: HistoryApi
  #gen = 0 // bumped by reload: answers to an older query are dropped

  constructor(api: HistoryApi) {
    this.#api = api
  }

  /** Listens for recorded calls and loads the first page; returns the cleanup. */
  start(on: Backend['on']): () => void {
    const offs = [on(events.historyAdded, (c) => this.added(c)), on(events.historyResync, () => void this.reload())]
    void this.reload()
    return () => offs.forEach((off) => off())
  }

  /** Applies the filters as edited; false (with error set) when they do not make a query. */
  apply(): boolean {
    let q: HistoryQuery
    try {
      q = toQuery($state.snapshot(this.filters))
    } catch (e) {
      this.error = errorText(e)
      return false
    }
    this.query = q
    void this.reload()
    return true
  }

  /** Drops what is loaded and reads the first page again. */
  async reload(): Promise<void> {
    this.#gen++
    this.calls = []
    this.unseen = []
    this.done = false
    this.loading = false
    this.selected = -1
    this.detail = null
    await this.loadMore()
  }

  /** Reads the next page (older calls) unless one is on its way or all are here. */
  async loadMore(): Promise<void> {
    if (this.loading || this.done) return
    const gen = this.#gen
    const last = this.calls.at(-1)
    this.loading = true
    try {
      const page = await this.#api.query({ ...this.query, limit: PAGE, ...(last ? { before: last.id } : {}) })
      if (gen !== this.#gen) return
      // A call that arrived live may also be in the page: keep one of each.
      const have = new Set(this.calls.map((c) => c.id))
      this.calls = this.calls.concat(page.filter((c) => !have.has(c.id)))
      this.done = page.length < PAGE
      this.error = null
      if (this.selected < 0 && this.calls.length) this.selected = 0
    } catch (e) {
      if (gen === this.#gen) this.error = `could not read history: ${errorText(e)}`
    } finally {
      if (gen === this.#gen) this.loading = false
    }
  }

  /**
   * A call the core just recorded: updates the row when it is shown (a
   * result arriving later), otherwise puts it in place when it matches
   * the query, or holds it in `unseen` while the person reads older rows.
   */
  added(c: HistoryCall): void {
    const i = this.calls.findIndex((x) => x.id === c.id)
    if (i >= 0) {
      const next = this.calls.slice()
      next[i] = c
      this.calls = next
      if (this.detail?.id === c.id) void this.#readDetail(c.id)
      return
    }
    const u = this.unseen.findIndex((x) => x.id === c.id)
    if (u >= 0) {
      this.unseen = this.unseen.map((x, j) => (j === u ? c : x))
      return
    }
    if (!matchesQuery(c, this.query)) return
    if (this.atTop) this.#insert(c)
    else this.unseen = [...this.unseen, c]
  }

  /** Puts the held calls in the table (the "N new calls" button). */
  showUnseen(): void {
    for (const c of this.unseen) this.#insert(c)
    this.unseen = []
  }

  #insert(c: HistoryCall): void {
    let at = this.calls.findIndex((x) => newerFirst(c, x) < 0)
    if (at < 0) {
      // Older than everything loaded: it comes with a later page.
      if (!this.done) return
      at = this.calls.length
    }
    this.calls = [...this.calls.slice(0, at), c, ...this.calls.slice(at)]
    if (this.selected >= at) this.selected++
    else if (this.selected < 0) this.selected = 0
  }

  /** Selects row i (clamped to what is loaded). */
  select(i: number): void {
    if (this.calls.length === 0) return
    this.selected = Math.max(0, Math.min(this.calls.length - 1, i))
  }

  /** Opens the selected row (or row i) in the detail panel. */
  async open(i = this.selected): Promise<void> {
    const c = this.calls[i]
    if (!c) return
    this.selected = i
    this.detail = c // shown at once; the full record (result excerpt) follows
    await this.#readDetail(c.id)
  }

  async #readDetail(id: string): Promise<void> {
    try {
      const full = await this.#api.call(id)
      if (this.detail?.id === id) this.detail = full
      this.detailError = null
    } catch (e) {
      if (this.detail?.id === id) this.detailError = `could not read call ${id}: ${errorText(e)}`
    }
  }

  close(): void {
    this.detail = null
    this.detailError = null
  }

  /** Writes every call matching the applied query to a file the person picks; returns what to tell them. */
  async exportAs(format: 'jsonl' | 'csv'): Promise<string | null> {
    try {
      const r = await this.#api.export(this.query, format)
      if (!r.path) return null
      return `Exported ${r.count.toLocaleString()} call${r.count === 1 ? '' : 's'} to ${r.path}`
    } catch (e) {
      this.error = `could not export: ${errorText(e)}`
      return null
    }
  }
}
