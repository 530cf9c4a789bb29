import { describe, expect, it } from 'vitest'
import type { SettingsApi } from './backend'
import { formatSeconds, parseSeconds, SettingsStore } from './settings.svelte'
import type { TimeoutSettings } from './types'

describe('parseSeconds', () => {
  it.each([
    ['', 0],
    ['90', 90],
    [' 2m ', 120],
    ['1m30s', 90],
    ['1h', 3600],
    ['45S', 45],
  ])('%j is %d seconds', (text, want) => expect(parseSeconds(text)).toBe(want))
  it.each(['m', '2 minutes', '-5', '1.5m', '5ms', 'abc'])('%j is not a duration', (text) => expect(parseSeconds(text)).toBeNull())
})

describe('formatSeconds', () => {
  it.each([
    [0, ''],
    [55, '55s'],
    [120, '2m'],
    [90, '1m30s'],
    [3661, '1h1m1s'],
  ])('%d reads %j', (sec, want) => expect(formatSeconds(sec)).toBe(want))
  it('round-trips through parseSeconds', () => {
    for (const sec of [1, 59, 60, 61, 3599, 3600, 86400]) expect(parseSeconds(formatSeconds(sec))).toBe(sec)
  })
})

/** A settings service holding timeouts in memory, with the core's bounds. */
function fakeSettings(): SettingsApi & { sets: [string, number][] } {
  const t: TimeoutSettings = { default_seconds: 0, per_server: {}, builtin_seconds: 55, min_seconds: 1, max_seconds: 86400 }
  const sets: [string, number][] = []
  const trusted = new Set<string>()
  const namespaced = new Set<string>()
  return {
    sets,
    paused: async () => '',
    pause: async () => {},
    startAtLogin: async () => false,
    setStartAtLogin: async () => {},
    timeouts: async () => structuredClone(t),
    withholdFlaggedResults: async () => false,
    setWithholdFlaggedResults: async () => {},
    autoWrap: async () => false,
    setAutoWrap: async () => {},
    trustedReadOnly: async () => [...trusted],
    namespaced: async () => [...namespaced],
    setNamespaced: async (client, on) => {
      if (on) namespaced.add(client)
      else namespaced.delete(client)
    },
    setTrustReadOnly: async (server, on) => {
      if (on) trusted.add(server)
      else trusted.delete(server)
    },
    setTimeout: async (server, sec) => {
      if (sec < 0 || sec > t.max_seconds) throw new Error('out of range')
      sets.push([server, sec])
      if (server === '') t.default_seconds = sec
      else if (sec === 0) delete t.per_server[server]
      else t.per_server[server] = sec
    },
  }
}

describe('SettingsStore.setTimeout', () => {
  it('sets the default and a server, then unsets the server', async () => {
    const api = fakeSettings()
    const store = new SettingsStore(api, () => () => {})
    await store.load()
    expect(await store.setTimeout('', '2m')).toBe(true)
    expect(await store.setTimeout('fs', '90')).toBe(true)
    expect(store.timeouts?.default_seconds).toBe(120)
    expect(store.timeouts?.per_server).toEqual({ fs: 90 })
    expect(await store.setTimeout('fs', '')).toBe(true)
    expect(store.timeouts?.per_server).toEqual({})
    expect(api.sets).toEqual([['', 120], ['fs', 90], ['fs', 0]])
    expect(store.error).toBeNull()
  })
  it('refuses text that is not a duration, or out of range, without calling Go', async () => {
    const api = fakeSettings()
    const store = new SettingsStore(api, () => () => {})
    await store.load()
    expect(await store.setTimeout('fs', 'soon')).toBe(false)
    expect(store.error).toContain('"soon" is not a timeout')
    expect(await store.setTimeout('fs', '2d')).toBe(false)
    expect(await store.setTimeout('fs', '100000')).toBe(false)
    expect(store.error).toContain('between 1s and 24h')
    expect(api.sets).toEqual([])
  })
})

describe('SettingsStore.setTrustReadOnly', () => {
  it('trusts and untrusts a server, and refuses an empty name', async () => {
    const store = new SettingsStore(fakeSettings(), () => () => {})
    await store.load()
    expect(await store.setTrustReadOnly(' fs ', true)).toBe(true)
    expect(store.trustedReadOnly).toEqual(['fs'])
    expect(await store.setTrustReadOnly('', true)).toBe(false)
    expect(store.error).toContain('name the server')
    expect(await store.setTrustReadOnly('fs', false)).toBe(true)
    expect(store.trustedReadOnly).toEqual([])
  })
})

describe('SettingsStore.setNamespaced', () => {
  it('turns namespacing on and off for one client', async () => {
    const store = new SettingsStore(fakeSettings(), () => () => {})
    await store.load()
    await store.setNamespaced('cursor', true)
    expect(store.namespaced).toEqual(['cursor'])
    await store.setNamespaced('cursor', false)
    expect(store.namespaced).toEqual([])
  })
})
