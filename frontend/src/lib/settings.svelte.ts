import { errorText, type SettingsApi } from './backend'
import type { PauseMode, Settings } from './types'

/** App settings and the pause switch. */
export class SettingsStore {
  settings = $state<Settings | null>(null)
  paused = $state<PauseMode>('')
  error = $state<string | null>(null)
  saved = $state(false)
  #api: SettingsApi

  constructor(api: SettingsApi) {
    this.#api = api
  }

  async load(): Promise<void> {
    try {
      ;[this.settings, this.paused] = await Promise.all([this.#api.get(), this.#api.paused()])
      this.error = null
    } catch (e) {
      this.error = `could not read settings: ${errorText(e)}`
    }
  }

  async save(s: Settings): Promise<void> {
    try {
      await this.#api.set(s)
      this.settings = s
      this.saved = true
      this.error = null
    } catch (e) {
      this.saved = false
      this.error = `could not save settings: ${errorText(e)}`
    }
  }

  async pause(mode: PauseMode): Promise<void> {
    try {
      await this.#api.pause(mode)
      this.paused = mode
      this.error = null
    } catch (e) {
      this.error = `could not change pause: ${errorText(e)}`
    }
  }
}
