import { describe, expect, it } from 'vitest'
import { fold, highlight, searchMatches, searchTerms } from './highlight'

const hits = (text: string, search: string) =>
  highlight(text, searchTerms(search))
    .filter((s) => s.hit)
    .map((s) => s.text)

describe('searchTerms', () => {
  it.each([
    ['', []],
    ['  passwd  ', ['passwd']],
    ['Etc PASSWD etc', ['etc', 'passwd']],
    ['a.b (c', ['a', 'b', 'c']],
    ['.*+?^${}()|[]\\', []],
    ['Café', ['cafe']],
  ])('%j → %j', (search, want) => {
    expect(searchTerms(search)).toEqual(want)
  })
})

describe('highlight', () => {
  it('marks whole tokens without case or diacritics, keeping the original text', () => {
    expect(hits('/etc/Passwd and passwords', 'passwd')).toEqual(['Passwd'])
    expect(hits('Le café CAFÉ', 'cafe')).toEqual(['café', 'CAFÉ'])
  })
  it('joins back to the text unchanged', () => {
    const text = '{"path":"/etc/passwd","q":"a.b"}'
    expect(
      highlight(text, ['etc', 'b'])
        .map((s) => s.text)
        .join(''),
    ).toBe(text)
  })
  it('treats regex-special characters in the search as plain separators', () => {
    expect(hits('x.y and xzy', 'x.y')).toEqual(['x', 'y'])
    expect(hits('price (USD) $5', '$5 (usd')).toEqual(['USD', '5'])
    expect(() => highlight('text', searchTerms('[unclosed'))).not.toThrow()
    expect(hits('[unclosed', '[unclosed')).toEqual(['unclosed'])
    expect(hits('a+b', '.*')).toEqual([])
  })
  it('keeps markup characters as text (rendering escapes them)', () => {
    const segs = highlight('<img src=x onerror=alert(1)> secret', ['secret', 'img'])
    expect(segs).toEqual([
      { text: '<', hit: false },
      { text: 'img', hit: true },
      { text: ' src=x onerror=alert(1)> ', hit: false },
      { text: 'secret', hit: true },
    ])
  })
  it('without terms is the text as one run; empty text is nothing', () => {
    expect(highlight('abc', [])).toEqual([{ text: 'abc', hit: false }])
    expect(highlight('', ['a'])).toEqual([])
  })
  it('fold matches the index: lower case, no diacritics', () => {
    expect(fold('ÀÉÎõü')).toBe('aeiou')
  })
})

describe('searchMatches', () => {
  const fields = ['read_file', 'fs', '{"path":"/etc/passwd"}', 'looked fine']
  it.each([
    ['', true],
    ['passwd', true],
    ['PASSWD etc', true],
    ['passwd shadow', false], // every word must match
    ['read_file', true],
    ['pass', false], // whole tokens, as FTS5
    ['looked', true],
    ['/etc/passwd', true],
  ])('%j → %s', (search, want) => {
    expect(searchMatches(search, fields)).toBe(want)
  })
})
