// The core's tool diff is word-diff text (internal/toolguard FormatDiff):
// removed text as [-…-], inserted as {+…+}. This splits it for colouring.

export interface DiffPart {
  op: 'same' | 'del' | 'add'
  text: string
}

export function parseDiff(s: string): DiffPart[] {
  const out: DiffPart[] = []
  const re = /\[-([\s\S]*?)-\]|\{\+([\s\S]*?)\+\}/g
  let last = 0
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (m.index > last) out.push({ op: 'same', text: s.slice(last, m.index) })
    out.push(m[1] !== undefined ? { op: 'del', text: m[1] } : { op: 'add', text: m[2] })
    last = re.lastIndex
  }
  if (last < s.length) out.push({ op: 'same', text: s.slice(last) })
  return out
}
