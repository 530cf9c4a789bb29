import { errorText, events, type Backend, type SettingsApi } from './backend'
import type { PauseMode, TimeoutSettings } from './types'

/**
 * Parses what a person typed as a timeout: seconds ("90"), or with a unit
 * ("90s", "2m", "1h", "1m30s"); "" is 0 (not set). Returns null when it is
 * not a duration.
 */
export function parseSeconds(text: string): number | null {
  const t = text.trim().toLowerCase()
  if (t === '') return 0
  if (/^\d+$/.test(t)) return Number(t)
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(t)
  if (!m || !(m[1] || m[2] || m[3])) return null
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)
}

/** 90 → "1m30s", 120 → "2m", 0 → "". */
export function formatSeconds(sec: number): string {
  if (!sec) return ''
  const h = Math.floor(sec / 3600)
  const m = Math.floor((sec % 3600) / 60)
  const s = sec % 60
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`
}

/** The pause switch (kept current from the core's events), start at login and the approval timeouts. */
export class SettingsStore {
  paused = $state<PauseMode>('')
  startAtLogin = $state(false)
  timeouts = $state<TimeoutSettings | null>(null)
  withholdFlagged = $state(false)
  autoWrap = $state(false)
  trustedReadOnly = $state<string[]>([])
  namespaced = $state<string[]>([])
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
      ;[this.paused, this.startAtLogin, this.timeouts, this.withholdFlagged, this.autoWrap, this.trustedReadOnly, this.namespaced] = await Promise.all([
        this.#api.paused(),
        this.#api.startAtLogin(),
        this.#api.timeouts(),
        this.#api.withholdFlaggedResults(),
        this.#api.autoWrap(),
        this.#api.trustedReadOnly(),
        this.#api.namespaced(),
      ])
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

  /** Trusts (or stops trusting) a server's read-only claims; resolves false on failure. */
  async setTrustReadOnly(server: string, on: boolean): Promise<boolean> {
    const name = server.trim()
    if (!name) {
      this.error = 'name the server whose read-only claims to trust (its --name in the client config)'
      return false
    }
    try {
      await this.#api.setTrustReadOnly(name, on)
      this.trustedReadOnly = await this.#api.trustedReadOnly()
      this.error = null
      return true
    } catch (e) {
      this.error = `could not change the trust in ${name}'s claims: ${errorText(e)}`
      return false
    }
  }

  async setNamespaced(client: string, on: boolean): Promise<void> {
    try {
      await this.#api.setNamespaced(client, on)
      this.namespaced = await this.#api.namespaced()
      this.error = null
    } catch (e) {
      this.error = `could not change namespacing for ${client}: ${errorText(e)}`
    }
  }

  async setAutoWrap(on: boolean): Promise<void> {
    try {
      await this.#api.setAutoWrap(on)
      this.autoWrap = on
      this.error = null
    } catch (e) {
      this.error = `could not change auto-wrap: ${errorText(e)}`
      this.autoWrap = !on
    }
  }

  async setWithholdFlagged(on: boolean): Promise<void> {
    try {
      await this.#api.setWithholdFlaggedResults(on)
      this.withholdFlagged = on
      this.error = null
    } catch (e) {
      this.error = `could not change the result setting: ${errorText(e)}`
      this.withholdFlagged = !on
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

  /**
   * Sets a server's timeout ('' for the default) from what a person typed;
   * resolves false (with error set) when it is not a valid duration or the
   * core refused it.
   */
  async setTimeout(server: string, text: string): Promise<boolean> {
    const sec = parseSeconds(text)
    const t = this.timeouts
    if (sec === null || (t && sec !== 0 && (sec < t.min_seconds || sec > t.max_seconds))) {
      const range = t ? ` between ${formatSeconds(t.min_seconds)} and ${formatSeconds(t.max_seconds)}` : ''
      this.error = `"${text}" is not a timeout: give seconds or a duration like 90s, 2m or 1h${range} (empty to unset)`
      return false
    }
    try {
      await this.#api.setTimeout(server, sec)
      this.timeouts = await this.#api.timeouts()
      this.error = null
      return true
    } catch (e) {
      this.error = `could not change the timeout: ${errorText(e)}`
      return false
    }
  }
}
