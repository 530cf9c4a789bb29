import { describe, expect, it } from 'vitest'
import { argConds, globLiteral } from './argrule'

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
