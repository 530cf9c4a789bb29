import { describe, expect, it } from 'vitest'
import { prettyArgs, ruleScope, secondsLeft } from './format'

describe('prettyArgs', () => {
  it('indents JSON', () => {
    expect(prettyArgs({ path: '/tmp', n: 1 })).toEqual({ text: '{\n  "path": "/tmp",\n  "n": 1\n}', truncated: false })
  })
  it('says when there are no arguments', () => {
    expect(prettyArgs(undefined).text).toBe('(no arguments)')
    expect(prettyArgs(null).text).toBe('(no arguments)')
  })
  it('cuts long arguments at the limit', () => {
    const got = prettyArgs({ data: 'x'.repeat(1000) }, 100)
    expect(got.truncated).toBe(true)
    expect(got.text).toHaveLength(100)
  })
})

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
    expect(ruleScope({ server: 'fs', tool: 'read_*', client: 'cursor', args: [{ path: 'path', glob: '/home/**' }] })).toBe(
      'fs · read_* · client cursor · path=/home/**',
    )
  })
  it('says any tool when the tool is empty', () => {
    expect(ruleScope({ server: '*' })).toBe('* · any tool')
  })
})
