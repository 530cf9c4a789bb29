import { describe, expect, it } from 'vitest'
import type { SignInsApi } from './backend'
import { expiryText, SignInsStore } from './signins.svelte'
import type { SignIn } from './types'

const now = Date.parse('2026-11-26T12:00:00Z')

describe('expiryText', () => {
  it.each([
    [null, 'no expiry'],
    ['2026-11-26T12:00:30Z', 'in 30 s'],
    ['2026-11-26T12:42:00Z', 'in 42 min'],
    ['2026-11-26T15:00:00Z', 'in 3 h'],
    ['2026-11-26T11:00:00Z', '1 h ago'],
  ])('%j reads %j', (at, want) => expect(expiryText(at, now)).toBe(want))
})

function signIn(server: string): SignIn {
  return { server, url: `https://${server}.example/mcp`, issuer: 'https://auth.example', resource: `https://${server}.example/mcp`,
    scopes: ['read'], expires_at: '2026-11-26T13:00:00Z', status: 'signed_in', refreshable: true, signed_in_at: '2026-11-26T11:00:00Z' }
}

describe('SignInsStore', () => {
  it('signs out, says whether the server revoked, and re-reads the list', async () => {
    let list = [signIn('linear'), signIn('notion')]
    const api: SignInsApi = {
      list: async () => list,
      signOut: async (server) => {
        list = list.filter((s) => s.server !== server)
        return server === 'linear' ? { revoked: true } : { revoked: false, note: 'the server has no revocation endpoint' }
      },
    }
    const store = new SignInsStore(api)
    await store.load()
    expect(store.list.map((s) => s.server)).toEqual(['linear', 'notion'])
    await store.signOut('linear')
    expect(store.notice).toBe('Signed out of linear; the server revoked its tokens.')
    await store.signOut('notion')
    expect(store.notice).toContain('but the server has no revocation endpoint')
    expect(store.list).toEqual([])
  })
  it('shows a keychain failure as an error', async () => {
    const store = new SignInsStore({ list: async () => { throw new Error('the keychain is locked') }, signOut: async () => ({ revoked: false }) })
    await store.load()
    expect(store.error).toBe('could not read sign-ins: the keychain is locked')
  })
})
