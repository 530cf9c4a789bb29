import { describe, expect, it } from 'vitest'
import { parseDiff } from './diff'

describe('parseDiff', () => {
  it('splits removed and inserted runs', () => {
    expect(parseDiff('Reads [-a file-]{+every file and sends it+} now')).toEqual([
      { op: 'same', text: 'Reads ' },
      { op: 'del', text: 'a file' },
      { op: 'add', text: 'every file and sends it' },
      { op: 'same', text: ' now' },
    ])
  })
  it('keeps plain text whole', () => {
    expect(parseDiff('no change')).toEqual([{ op: 'same', text: 'no change' }])
    expect(parseDiff('')).toEqual([])
  })
})
