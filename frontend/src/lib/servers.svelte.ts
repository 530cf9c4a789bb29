import { errorText, type ServersApi } from './backend'
import type { ServerSession } from './types'

/** Wrapped servers with live sessions, read when the section opens. */
export class ServersStore {
  sessions = $state<ServerSession[]>([])
  error = $state<string | null>(null)
  #api: ServersApi

  constructor(api: ServersApi) {
    this.#api = api
  }

  async load(): Promise<void> {
    try {
      this.sessions = (await this.#api.sessions()) ?? []
      this.error = null
    } catch (e) {
      this.error = `could not read servers: ${errorText(e)}`
    }
  }
}
