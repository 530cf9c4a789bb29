import { describe, expect, it } from 'vitest'
import { bytes, cut, entries, reveal, splitPath, splitUrl, stringKind, summary } from './jsonview'

describe('stringKind', () => {
  it.each([
    ['https://example.com/a?b', 'url'],
    ['file:///etc/passwd', 'url'],
    ['/home/me/.ssh/id_ed25519', 'path'],
    ['~/notes.md', 'path'],
    ['./src/x.ts', 'path'],
    ['C:\\Users\\me\\x.txt', 'path'],
    ['hello world', 'text'],
    ['/not a path with spaces', 'text'],
  ])('%s is %s', (s, want) => expect(stringKind(s)).toBe(want))
})

describe('splitUrl and splitPath', () => {
  it('finds the host', () => {
    expect(splitUrl('https://evil.example:8443/x?y=1')).toEqual({ scheme: 'https://', host: 'evil.example:8443', rest: '/x?y=1' })
  })
  it('finds the base name', () => {
    expect(splitPath('/home/me/.ssh/id_ed25519')).toEqual({ dir: '/home/me/.ssh/', base: 'id_ed25519' })
    expect(splitPath('/tmp/dir/')).toEqual({ dir: '/tmp/', base: 'dir/' })
    expect(splitPath('name')).toEqual({ dir: '', base: 'name' })
  })
})

describe('cut and entries', () => {
  it('cuts a 10 MiB string to its preview', () => {
    const s = 'x'.repeat(10 * 1024 * 1024)
    const got = cut(s, 300)
    expect(got.text).toHaveLength(300)
    expect(got.hidden).toBe(s.length - 300)
  })
  it('lists the first entries and counts the rest', () => {
    expect(entries([1, 2, 3], 2)).toEqual({ items: [['0', 1], ['1', 2]], hidden: 1 })
    expect(entries({ a: 1, b: 2, c: 3 }, 5)).toEqual({ items: [['a', 1], ['b', 2], ['c', 3]], hidden: 0 })
  })
  it('summarises containers', () => {
    expect(summary([1])).toBe('1 item')
    expect(summary({ a: 1, b: 2 })).toBe('2 keys')
  })
})

describe('bytes', () => {
  it.each([
    [512, '512 bytes'],
    [1536, '1.5 KiB'],
    [10 * 1024 * 1024, '10 MiB'],
  ])('%d is %s', (n, want) => expect(bytes(n)).toBe(want))
})

describe('reveal', () => {
  it('leaves plain text alone', () => {
    expect(reveal('read the file')).toEqual([{ text: 'read the file', hidden: false }])
  })
  it('shows tag characters, zero-width and bidi controls as code points', () => {
    expect(reveal('a\u200Bb\u{E0041}\u202E')).toEqual([
      { text: 'a', hidden: false },
      { text: 'U+200B', hidden: true },
      { text: 'b', hidden: false },
      { text: 'U+E0041', hidden: true },
      { text: 'U+202E', hidden: true },
    ])
  })
})
