// Helpers for the arguments viewer (components/approvals/JsonNode.svelte).
// Arguments come from the model and may be huge: nothing here walks or
// copies more than what is about to be shown.

/** Characters of a string shown before the "show more" control. */
export const STRING_PREVIEW = 300
/** Characters added by each "show more" on a long string. */
export const STRING_STEP = 64 * 1024
/** Object keys or array items shown before the "show more" control. */
export const CHILDREN_PREVIEW = 100

export type StringKind = 'url' | 'path' | 'text'

/** Whether a string reads as a URL, a file path, or plain text. */
export function stringKind(s: string): StringKind {
  if (s.length > 4096 || /\s/.test(s.slice(0, 200))) return 'text'
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return 'url'
  if (/^(~?\/|\.{1,2}\/|[a-z]:[\\/]|\\\\)/i.test(s)) return 'path'
  return 'text'
}

/** Splits a URL into what comes before the host, the host, and the rest. */
export function splitUrl(s: string): { scheme: string; host: string; rest: string } {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is.exec(s)
  return m ? { scheme: m[1], host: m[2], rest: m[3] } : { scheme: '', host: '', rest: s }
}

/** Splits a path into its directory (with the trailing separator) and base name. */
export function splitPath(s: string): { dir: string; base: string } {
  const i = Math.max(s.lastIndexOf('/', s.length - 2), s.lastIndexOf('\\', s.length - 2))
  return i < 0 ? { dir: '', base: s } : { dir: s.slice(0, i + 1), base: s.slice(i + 1) }
}

/** The first `shown` characters of s and how many are left out. */
export function cut(s: string, shown: number): { text: string; hidden: number } {
  if (s.length <= shown) return { text: s, hidden: 0 }
  return { text: s.slice(0, shown), hidden: s.length - shown }
}

/** The first `shown` entries of an object or array, and how many are left out. */
export function entries(v: object, shown: number): { items: [string, unknown][]; hidden: number } {
  if (Array.isArray(v)) {
    const n = Math.min(v.length, shown)
    const items: [string, unknown][] = []
    for (let i = 0; i < n; i++) items.push([String(i), v[i]])
    return { items, hidden: v.length - n }
  }
  const items: [string, unknown][] = []
  let total = 0
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue
    if (items.length < shown) items.push([k, (v as Record<string, unknown>)[k]])
    total++
  }
  return { items, hidden: total - items.length }
}

/** "3 keys", "1 item": a collapsed container's summary. */
export function summary(v: object): string {
  const n = Array.isArray(v) ? v.length : Object.keys(v).length
  const word = Array.isArray(v) ? 'item' : 'key'
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** Byte count for people: 1.2 KiB, 10 MiB. */
export function bytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '? bytes'
  if (n < 1024) return `${n} bytes`
  const units = ['KiB', 'MiB', 'GiB']
  let v = n / 1024
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`
}

// Characters a person cannot see but a model reads: Unicode tag characters,
// zero-width characters, bidi controls, and the escape that starts ANSI
// sequences. The viewer shows each as a visible code point.
const INVISIBLE = /[\u{E0000}-\u{E007F}\u200B-\u200F\u2028\u2029\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u001B]/u

/** Splits s into plain runs and invisible characters (shown as U+XXXX). */
export function reveal(s: string): { text: string; hidden: boolean }[] {
  if (!INVISIBLE.test(s)) return [{ text: s, hidden: false }]
  const out: { text: string; hidden: boolean }[] = []
  let run = ''
  for (const ch of s) {
    if (INVISIBLE.test(ch)) {
      if (run) out.push({ text: run, hidden: false })
      run = ''
      out.push({ text: `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`, hidden: true })
    } else run += ch
  }
  if (run) out.push({ text: run, hidden: false })
  return out
}
