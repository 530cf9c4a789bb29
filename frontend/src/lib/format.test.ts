import { describe, expect, it } from 'vitest'
import { clockText, ruleScope, secondsLeft } from './format'

describe('secondsLeft', () => {
  const deadline = '2026-11-26T12:00:10Z'
  const at = (iso: string) => Date.parse(iso)
  it.each([
    ['ten seconds before', at('2026-11-26T12:00:00Z'), 10],
    ['part of a second rounds up', at('2026-11-26T12:00:09.2Z'), 1],
    ['after the deadline is zero', at('2026-11-26T12:00:30Z'), 0],
  ])('%s', (_name, now, want) => {
    expect(secondsLeft(deadline, now)).toBe(want)
  })
  it('is zero for an unreadable deadline', () => {
    expect(secondsLeft('not a time', 0)).toBe(0)
  })
})

describe('ruleScope', () => {
  it('names server, tool, client and argument conditions', () => {
    expect(ruleScope({ server: 'fs', tool: 'read_*', client: 'cursor', args: [{ path: 'path', glob: '/home/**' }, { path: 'n', op: 'le', value: '5' }] })).toBe(
      'fs · read_* · client cursor · path=/home/** · n<=5',
    )
  })
  it('says any tool when the tool is empty', () => {
    expect(ruleScope({ server: '*' })).toBe('* · any tool')
  })
})

describe('clockText', () => {
  it.each([
    [0, '0:00'],
    [9, '0:09'],
    [65, '1:05'],
    [-3, '0:00'],
  ])('%d s is %s', (n, want) => expect(clockText(n)).toBe(want))
})
