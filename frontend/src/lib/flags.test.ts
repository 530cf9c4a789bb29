import { describe, expect, it } from 'vitest'
import { splitFlags } from './flags'

describe('splitFlags', () => {
  it('separates claims from risks and puts dangers first', () => {
    const got = splitFlags([
      'name collision with server other',
      'destructive (claimed by the server)',
      'carries a key shape github-token',
      'read-only (claimed by the server)',
      'hidden instruction: tag characters in the description',
    ])
    expect(got.claims).toEqual(['destructive', 'read-only'])
    expect(got.risks).toEqual([
      { text: 'carries a key shape github-token', severity: 'danger' },
      { text: 'hidden instruction: tag characters in the description', severity: 'danger' },
      { text: 'name collision with server other', severity: 'warning' },
    ])
  })
  it('handles no flags', () => {
    expect(splitFlags(undefined)).toEqual({ claims: [], risks: [] })
  })
})
