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
      needed: async () => [],
      signIn: async () => signIn('x'),
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
    const store = new SignInsStore({
      list: async () => { throw new Error('the keychain is locked') },
      needed: async () => [],
      signIn: async () => signIn('x'),
      signOut: async () => ({ revoked: false }),
    })
    await store.load()
    expect(store.error).toBe('could not read sign-ins: the keychain is locked')
  })
})

describe('SignInsStore.signIn', () => {
  it('signs in only the server asked for, clears its request and says so', async () => {
    let needed = [{ server: 'linear', url: 'https://linear.example/mcp', at: '2026-11-26T12:00:00Z' }]
    const list: SignIn[] = []
    const asked: [string, string][] = []
    const api: SignInsApi = {
      list: async () => list,
      needed: async () => needed,
      signIn: async (server, url) => {
        asked.push([server, url])
        needed = []
        list.push(signIn(server))
        return signIn(server)
      },
      signOut: async () => ({ revoked: true }),
    }
    const store = new SignInsStore(api)
    await store.load()
    expect(store.needed).toHaveLength(1)
    await store.signIn(store.needed[0])
    expect(asked).toEqual([['linear', 'https://linear.example/mcp']])
    expect(store.signingIn).toBeNull()
    expect(store.needed).toEqual([])
    expect(store.list.map((s) => s.server)).toEqual(['linear'])
    expect(store.notice).toContain('Signed in to linear')
  })
  it('keeps the request and shows why when the sign-in fails', async () => {
    const needed = [{ server: 'linear', url: 'https://linear.example/mcp', at: '2026-11-26T12:00:00Z' }]
    const store = new SignInsStore({
      list: async () => [],
      needed: async () => needed,
      signIn: async () => { throw new Error('sign in to linear: the sign-in timed out') },
      signOut: async () => ({ revoked: true }),
    })
    await store.load()
    await store.signIn(needed[0])
    expect(store.error).toBe('sign in to linear: the sign-in timed out')
    expect(store.needed).toHaveLength(1)
    expect(store.signingIn).toBeNull()
  })
})
