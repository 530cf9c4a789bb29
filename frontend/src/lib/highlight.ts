// Search-word highlighting for the history, done in the page from the words
// the person typed. It mirrors how the store's full-text index matches
// (FTS5 unicode61, remove_diacritics 2): text is cut into tokens of letters
// and digits, compared without case or diacritics, and a search word
// matches whole tokens. Words are compared as data, never turned into a
// regular expression, and the result is plain text segments the components
// render as text (escaped by Svelte), never as HTML.

const TOKEN = /[\p{L}\p{N}\p{Co}]+/gu

/** A token as the index compares it: lower case, without diacritics. */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
}

/** The tokens of text, folded. */
export function tokens(text: string): string[] {
  return Array.from(text.matchAll(TOKEN), (m) => fold(m[0]))
}

/** The search as the tokens to highlight ("a.b (c" → a, b, c). */
export function searchTerms(search: string | undefined): string[] {
  if (!search) return []
  return [...new Set(tokens(search))]
}

export interface Segment {
  text: string
  hit: boolean
}

/** Cuts text into runs, marking the tokens that match a term. */
export function highlight(text: string, terms: readonly string[]): Segment[] {
  if (!text) return []
  if (terms.length === 0) return [{ text, hit: false }]
  const want = new Set(terms)
  const out: Segment[] = []
  let at = 0
  for (const m of text.matchAll(TOKEN)) {
    if (!want.has(fold(m[0]))) continue
    const i = m.index ?? 0
    if (i > at) out.push({ text: text.slice(at, i), hit: false })
    out.push({ text: m[0], hit: true })
    at = i + m[0].length
  }
  if (at < text.length) out.push({ text: text.slice(at), hit: false })
  return out
}

/**
 * Whether every word of the search matches the text the index holds for a
 * call (tool, server, arguments, note): each word's tokens must appear in
 * it. Used to decide whether a call recorded live belongs on the page.
 */
export function searchMatches(search: string | undefined, fields: readonly string[]): boolean {
  const words = (search ?? '').split(/\s+/).filter(Boolean)
  if (words.length === 0) return true
  const have = new Set(fields.flatMap((f) => tokens(f)))
  return words.every((w) => tokens(w).every((t) => have.has(t)))
}
