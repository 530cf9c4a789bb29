import { errorText, type ToolsApi } from './backend'
import type { ToolDiff, ToolPin } from './types'

/** The key of a pin in diffs. */
export const pinKey = (p: Pick<ToolPin, 'server' | 'kind' | 'name'>) => `${p.server}\u0000${p.kind}\u0000${p.name}`

/** Pinned tools and their review state; diff and trust on demand. */
export class ToolsStore {
  pins = $state<ToolPin[]>([])
  diffs = $state<Record<string, ToolDiff>>({})
  error = $state<string | null>(null)
  #api: ToolsApi

  constructor(api: ToolsApi) {
    this.#api = api
  }

  async load(): Promise<void> {
    try {
      this.pins = (await this.#api.list()) ?? []
      this.error = null
    } catch (e) {
      this.error = `could not read tools: ${errorText(e)}`
    }
  }

  async diff(p: ToolPin): Promise<void> {
    try {
      this.diffs[pinKey(p)] = await this.#api.diff(p.server, p.kind, p.name)
    } catch (e) {
      this.error = `could not diff ${p.server}/${p.name}: ${errorText(e)}`
    }
  }

  async trust(p: ToolPin): Promise<void> {
    try {
      await this.#api.trust(p.server, p.kind, [p.name])
      delete this.diffs[pinKey(p)]
      await this.load()
    } catch (e) {
      this.error = `could not trust ${p.server}/${p.name}: ${errorText(e)}`
    }
  }
}
