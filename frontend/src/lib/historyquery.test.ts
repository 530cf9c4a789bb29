import { describe, expect, it } from 'vitest'
import { historyCall } from '../testing/fake-backend'
import { emptyFilters, filtered, matchesQuery, newerFirst, toQuery, type Filters } from './historyquery'

const f = (over: Partial<Filters>): Filters => ({ ...emptyFilters(), ...over })

describe('toQuery', () => {
  it('leaves empty filters out and trims text', () => {
    expect(toQuery(emptyFilters())).toEqual({})
    expect(toQuery(f({ server: ' fs ', tool: 'read_file', client: 'cursor', decision: 'denied', search: '  etc passwd ' }))).toEqual({
      server: 'fs',
      tool: 'read_file',
      client: 'cursor',
      decision: 'denied',
      search: 'etc passwd',
    })
    expect(toQuery(f({ search: '   ' }))).toEqual({})
  })
  it('turns local date-times into RFC 3339 instants', () => {
    const q = toQuery(f({ since: '2026-11-26T08:00', until: '2026-11-27T08:00:30' }))
    expect(q.since).toBe(new Date('2026-11-26T08:00').toISOString())
    expect(q.until).toBe(new Date('2026-11-27T08:00:30').toISOString())
    expect(q.since).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  })
  it('refuses unreadable times and an empty range', () => {
    expect(() => toQuery(f({ since: 'yesterday-ish' }))).toThrow(/since/)
    expect(() => toQuery(f({ since: '2026-11-27T08:00', until: '2026-11-26T08:00' }))).toThrow(/before/)
    expect(() => toQuery(f({ since: '2026-11-26T08:00', until: '2026-11-26T08:00' }))).toThrow(/before/)
  })
  it('filtered says whether anything narrows', () => {
    expect(filtered({})).toBe(false)
    expect(filtered({ limit: 5, before: 'x' })).toBe(false)
    expect(filtered({ decision: 'denied' })).toBe(true)
  })
})

describe('matchesQuery', () => {
  const c = historyCall('c1', 60, { client: 'cursor', server: 'git', tool: 'push', arguments: { remote: 'origin/main' }, decision: 'denied', note: 'not on friday' })
  it.each([
    [{}, true],
    [{ server: 'git' }, true],
    [{ server: 'fs' }, false],
    [{ tool: 'push', client: 'cursor', decision: 'denied' }, true],
    [{ client: 'claude-code' }, false],
    [{ decision: 'approved' }, false],
    [{ since: '2026-11-26T12:01:00.000Z' }, true], // at since: included
    [{ since: '2026-11-26T12:01:00.001Z' }, false],
    [{ until: '2026-11-26T12:01:00.000Z' }, false], // until: excluded
    [{ until: '2026-11-26T12:02:00Z' }, true],
    [{ search: 'origin friday' }, true],
    [{ search: 'origin monday' }, false],
  ])('%j → %s', (q, want) => {
    expect(matchesQuery(c, q)).toBe(want)
  })
})

it('newerFirst orders by time, then id, newest first', () => {
  const calls = [historyCall('a', 1), historyCall('c', 5), historyCall('b', 5), historyCall('d', 3)]
  expect(calls.sort(newerFirst).map((c) => c.id)).toEqual(['c', 'b', 'd', 'a'])
})
