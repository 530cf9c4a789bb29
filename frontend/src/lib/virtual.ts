// Window math for the virtualised history table: which rows of a long
// list are in (or near) the viewport. Rows have one fixed height; only the
// rows returned here are in the DOM, with spacers above and below.

export interface Window {
  /** First row in the DOM. */
  start: number
  /** One past the last row in the DOM. */
  end: number
  /** Height of the spacer above the first row. */
  padTop: number
  /** Height of the spacer below the last row. */
  padBottom: number
}

/** The rows to render for a viewport at scrollTop, plus overscan rows on each side. */
export function visibleWindow(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan = 8): Window {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 }
  const top = Math.max(0, scrollTop)
  const first = Math.min(count - 1, Math.floor(top / rowHeight))
  const last = Math.min(count, Math.ceil((top + Math.max(0, viewport)) / rowHeight))
  const start = Math.max(0, first - overscan)
  const end = Math.min(count, Math.max(last, first + 1) + overscan)
  return { start, end, padTop: start * rowHeight, padBottom: (count - end) * rowHeight }
}

/** The scrollTop that brings row index fully into view, moving as little as possible. */
export function scrollToRow(index: number, scrollTop: number, viewport: number, rowHeight: number): number {
  const top = index * rowHeight
  if (top < scrollTop) return top
  const bottom = top + rowHeight
  if (bottom > scrollTop + viewport) return Math.max(0, bottom - viewport)
  return scrollTop
}

/** Whether the viewport is within `rows` rows of the end of what is loaded: time to load the next page. */
export function nearEnd(scrollTop: number, viewport: number, rowHeight: number, count: number, rows = 50): boolean {
  return scrollTop + viewport >= (count - rows) * rowHeight
}

/** Rows that fit in the viewport (for Page Up / Page Down). */
export function pageRows(viewport: number, rowHeight: number): number {
  return Math.max(1, Math.floor(viewport / rowHeight) - 1)
}
