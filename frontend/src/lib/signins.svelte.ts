import { errorText, type SignInsApi } from './backend'
import type { SignIn, SignInNeeded } from './types'

/** The OAuth sign-ins kept in the keychain, and the servers waiting for one. */
export class SignInsStore {
  list = $state<SignIn[]>([])
  needed = $state<SignInNeeded[]>([])
  /** The server whose sign-in runs in the browser now. */
  signingIn = $state<string | null>(null)
  error = $state<string | null>(null)
  /** What the last sign-out did, for the person who asked. */
  notice = $state<string | null>(null)
  #api: SignInsApi

  constructor(api: SignInsApi) {
    this.#api = api
  }

  async load(): Promise<void> {
    try {
      ;[this.list, this.needed] = await Promise.all([this.#api.list(), this.#api.needed()])
      this.error = null
    } catch (e) {
      this.error = `could not read sign-ins: ${errorText(e)}`
    }
  }

  /** Signs in (the browser opens now: call only when the person asked). */
  async signIn(s: SignInNeeded): Promise<void> {
    this.signingIn = s.server
    this.notice = null
    let failed: string | null = null
    try {
      await this.#api.signIn(s.server, s.url)
      this.notice = `Signed in to ${s.server}. Its next request uses the new token.`
    } catch (e) {
      failed = errorText(e)
    } finally {
      this.signingIn = null
    }
    await this.load()
    if (failed) this.error = failed
  }

  async signOut(server: string): Promise<void> {
    try {
      const r = await this.#api.signOut(server)
      this.notice = r.revoked
        ? `Signed out of ${server}; the server revoked its tokens.`
        : `Signed out of ${server}: its tokens are gone from the keychain${r.note ? `, but ${r.note}` : ''}.`
      this.error = null
    } catch (e) {
      this.error = errorText(e)
    }
    await this.load()
  }
}

/** "in 42 min", "3 h ago", "no expiry" for a sign-in's access token. */
export function expiryText(expiresAt: string | null, now: number): string {
  if (!expiresAt) return 'no expiry'
  const d = Date.parse(expiresAt) - now
  const abs = Math.abs(d)
  const unit = abs < 60_000 ? `${Math.round(abs / 1000)} s` : abs < 3_600_000 ? `${Math.round(abs / 60_000)} min` : `${Math.round(abs / 3_600_000)} h`
  return d >= 0 ? `in ${unit}` : `${unit} ago`
}
