import { errorText, type HistoryApi } from './backend'
import type { HistoryCall, HistoryQuery } from './types'

/** One page of the call history for the current query. */
export class HistoryStore {
  calls = $state<HistoryCall[]>([])
  query = $state<HistoryQuery>({ limit: 100 })
  error = $state<string | null>(null)
  #api: HistoryApi

  constructor(api: HistoryApi) {
    this.#api = api
  }

  async load(): Promise<void> {
    try {
      this.calls = await this.#api.query($state.snapshot(this.query))
      this.error = null
    } catch (e) {
      this.error = `could not read history: ${errorText(e)}`
    }
  }
}
