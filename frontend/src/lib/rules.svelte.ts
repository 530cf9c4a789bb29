import { errorText, events, type Backend } from './backend'
import type { NewRule, Rule } from './types'

/** The policy rules, re-read whenever this app changes them. */
export class RulesStore {
  rules = $state<Rule[]>([])
  error = $state<string | null>(null)

  #api: Pick<Backend, 'rules' | 'addRule' | 'removeRule' | 'on'>

  constructor(api: Pick<Backend, 'rules' | 'addRule' | 'removeRule' | 'on'>) {
    this.#api = api
  }

  /** Starts listening and loads the rules; returns the cleanup. */
  start(): () => void {
    const off = this.#api.on(events.rulesChanged, () => void this.load())
    void this.load()
    return off
  }

  async load(): Promise<void> {
    try {
      this.rules = await this.#api.rules()
      this.error = null
    } catch (e) {
      this.error = `could not read rules: ${errorText(e)}`
    }
  }

  /** Adds a rule; returns false (and sets error) when the core refuses it. */
  async add(r: NewRule): Promise<boolean> {
    try {
      await this.#api.addRule(r)
      this.error = null
      return true
    } catch (e) {
      this.error = errorText(e)
      return false
    }
  }

  /**
   * Edits a rule as the core allows it: adds the new one, then removes the
   * old, so there is no moment without either. If adding fails, the old rule
   * stays and false is returned.
   */
  async replace(oldId: string, r: NewRule): Promise<boolean> {
    if (!(await this.add(r))) return false
    try {
      await this.#api.removeRule(oldId)
      return true
    } catch (e) {
      this.error = `the new rule was added but the old one (${oldId}) was not removed: ${errorText(e)}`
      return false
    } finally {
      await this.load()
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await this.#api.removeRule(id)
      this.error = null
    } catch (e) {
      this.error = errorText(e)
    }
  }
}
