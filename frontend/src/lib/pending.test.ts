import { describe, expect, it } from 'vitest'
import { applyEvent, sortCalls } from './pending'
import type { BrokerEvent, PendingCall } from './types'

function call(id: string, at: string): PendingCall {
  return {
    id,
    session_id: 's1',
    client: 'claude-code',
    server: 'fs',
    tool: 'read_file',
    arguments: { path: '/tmp/x' },
    requested_at: at,
    deadline: '2026-11-26T12:01:00Z',
  }
}
const a = call('a', '2026-11-26T12:00:01Z')
const b = call('b', '2026-11-26T12:00:02Z')
const c = call('c', '2026-11-26T12:00:03Z')
const ids = (cs: PendingCall[]) => cs.map((x) => x.id)

describe('applyEvent', () => {
  const cases: { name: string; before: PendingCall[]; ev: BrokerEvent; want: string[] }[] = [
    { name: 'added goes in requested order', before: [a, c], ev: { kind: 'added', pending: b }, want: ['a', 'b', 'c'] },
    { name: 'added twice is listed once', before: [a, b], ev: { kind: 'added', pending: b }, want: ['a', 'b'] },
    { name: 'removed takes the call off', before: [a, b, c], ev: { kind: 'removed', pending: b }, want: ['a', 'c'] },
    { name: 'removed for an unknown call changes nothing', before: [a], ev: { kind: 'removed', pending: c }, want: ['a'] },
  ]
  for (const tc of cases) {
    it(tc.name, () => {
      const before = [...tc.before]
      expect(ids(applyEvent(tc.before, tc.ev))).toEqual(tc.want)
      expect(tc.before).toEqual(before) // the input list is not mutated
    })
  }
})

describe('sortCalls', () => {
  it('orders by request time, then id', () => {
    const tie = call('0', b.requested_at)
    expect(ids(sortCalls([c, b, a, tie]))).toEqual(['a', '0', 'b', 'c'])
  })
})
