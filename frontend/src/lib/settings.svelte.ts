import { errorText, events, type Backend, type SettingsApi } from './backend'
import type { PauseMode } from './types'

/** The pause switch (kept current from the core's events) and start at login. */
export class SettingsStore {
  paused = $state<PauseMode>('')
  startAtLogin = $state(false)
  error = $state<string | null>(null)
  #api: SettingsApi
  #on: Backend['on']

  constructor(api: SettingsApi, on: Backend['on']) {
    this.#api = api
    this.#on = on
  }

  /** Loads and follows pause changes made elsewhere (tray, CLI); returns the cleanup. */
  start(): () => void {
    const off = this.#on(events.pauseChanged, (p) => (this.paused = p as PauseMode))
    void this.load()
    return off
  }

  async load(): Promise<void> {
    try {
      ;[this.paused, this.startAtLogin] = await Promise.all([this.#api.paused(), this.#api.startAtLogin()])
      this.error = null
    } catch (e) {
      this.error = `could not read settings: ${errorText(e)}`
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

  async setStartAtLogin(on: boolean): Promise<void> {
    try {
      await this.#api.setStartAtLogin(on)
      this.startAtLogin = on
      this.error = null
    } catch (e) {
      this.error = `could not change start at login: ${errorText(e)}`
      this.startAtLogin = !on
    }
  }
}
