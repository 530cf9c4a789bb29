import { errorText, type SecretsApi } from './backend'
import type { SecretInfo } from './types'

/** How long a revealed value stays on screen. */
export const REVEAL_MS = 10_000

/**
 * Keychain secrets: the metadata list, read when the section opens, and at
 * most one revealed value, which hides itself after REVEAL_MS. Values are
 * never logged and never kept after they are hidden.
 */
export class SecretsStore {
  secrets = $state<SecretInfo[]>([])
  error = $state<string | null>(null)
  /** The value shown now, or null. */
  revealed = $state<{ name: string; value: string } | null>(null)
  #api: SecretsApi
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(api: SecretsApi) {
    this.#api = api
  }

  async load(): Promise<void> {
    try {
      this.secrets = (await this.#api.list()) ?? []
      this.error = null
    } catch (e) {
      this.error = `could not read secrets: ${errorText(e)}`
    }
  }

  /** Stores or replaces a value; returns whether it worked (the error is in error). */
  async set(name: string, value: string, note: string): Promise<boolean> {
    try {
      await this.#api.set(name, value, note)
      this.error = null
    } catch (e) {
      this.error = `could not store secret ${name}: ${errorText(e)}`
      return false
    }
    if (this.revealed?.name === name) this.hide()
    await this.load()
    return true
  }

  async remove(name: string, force: boolean): Promise<boolean> {
    try {
      await this.#api.remove(name, force)
      this.error = null
    } catch (e) {
      this.error = `could not remove secret ${name}: ${errorText(e)}`
      return false
    }
    if (this.revealed?.name === name) this.hide()
    await this.load()
    return true
  }

  /** Shows the value of name until hide() or REVEAL_MS pass. */
  async reveal(name: string): Promise<void> {
    this.hide()
    try {
      const value = await this.#api.reveal(name)
      this.revealed = { name, value }
      this.#timer = setTimeout(() => this.hide(), REVEAL_MS)
    } catch (e) {
      this.error = `could not read secret ${name} from the keychain: ${errorText(e)}`
    }
  }

  hide(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.revealed = null
  }
}
