import { errorText, type ToolsApi } from './backend'
import type { DiffLine, ToolPin } from './types'

/** Pinned tools and their review state; diff and trust on demand. */
export class ToolsStore {
  pins = $state<ToolPin[]>([])
  diffs = $state<Record<string, DiffLine[]>>({})
  error = $state<string | null>(null)
  #api: ToolsApi

  constructor(api: ToolsApi) {
    this.#api = api
  }

  async load(): Promise<void> {
    try {
      this.pins = await this.#api.list()
      this.error = null
    } catch (e) {
      this.error = `could not read tools: ${errorText(e)}`
    }
  }

  async diff(p: ToolPin): Promise<void> {
    try {
      this.diffs[`${p.server}\u0000${p.name}`] = await this.#api.diff(p.server, p.name)
    } catch (e) {
      this.error = `could not diff ${p.server}/${p.name}: ${errorText(e)}`
    }
  }

  async trust(p: ToolPin): Promise<void> {
    try {
      await this.#api.trust(p.server, [p.name])
      await this.load()
    } catch (e) {
      this.error = `could not trust ${p.server}/${p.name}: ${errorText(e)}`
    }
  }
}
