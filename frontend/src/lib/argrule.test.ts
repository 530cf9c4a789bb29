import { describe, expect, it } from 'vitest'
import { argConds, chosenConds, condRows, globLiteral } from './argrule'

describe('globLiteral', () => {
  it.each([
    ['/tmp/plain.txt', '/tmp/plain.txt'],
    ['/tmp/a*b?.txt', '/tmp/a\\*b\\?.txt'],
    ['[x]{y}', '\\[x\\]\\{y\\}'],
    ['C:\\Users\\me', 'C:/Users/me'],
  ])('%s -> %s', (v, want) => expect(globLiteral(v)).toBe(want))
})

describe('argConds', () => {
  it('takes top-level strings only', () => {
    expect(argConds({ path: '/tmp/x', n: 3, nested: { p: 'q' }, 'a.b': 'dotted', mode: 'r' })).toEqual([
      { path: 'path', glob: '/tmp/x' },
      { path: 'mode', glob: 'r' },
    ])
  })
  it('gives nothing for non-objects', () => {
    expect(argConds(null)).toEqual([])
    expect(argConds(['a'])).toEqual([])
    expect(argConds('s')).toEqual([])
  })
})

describe('condRows and chosenConds', () => {
  it('prefill every string argument in use, and keep only the rows left in use, with their edited globs', () => {
    const rows = condRows({ path: '/tmp/a*b', mode: 'r', n: 3 })
    expect(rows).toEqual([
      { path: 'path', glob: '/tmp/a\\*b', use: true },
      { path: 'mode', glob: 'r', use: true },
    ])
    rows[0].glob = '/tmp/**'
    rows[1].use = false
    expect(chosenConds(rows)).toEqual([{ path: 'path', glob: '/tmp/**' }])
  })
})
