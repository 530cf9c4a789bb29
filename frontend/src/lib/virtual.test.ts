import { describe, expect, it } from 'vitest'
import { nearEnd, pageRows, scrollToRow, visibleWindow } from './virtual'

describe('visibleWindow', () => {
  it.each([
    // scrollTop, viewport, rowHeight, count, overscan → start, end
    { name: 'top of a long list', at: [0, 320, 32, 100_000, 8], want: [0, 18] },
    { name: 'middle', at: [32 * 5000, 320, 32, 100_000, 8], want: [4992, 5018] },
    { name: 'half a row scrolled', at: [32 * 10 + 16, 320, 32, 1000, 0], want: [10, 21] },
    { name: 'bottom clamps to count', at: [32 * 99_995, 320, 32, 100_000, 8], want: [99_987, 100_000] },
    { name: 'scrolled past the end (shrunk list)', at: [32 * 500, 320, 32, 20, 2], want: [17, 20] },
    { name: 'fewer rows than fit', at: [0, 320, 32, 3, 8], want: [0, 3] },
    { name: 'negative scroll (overscroll bounce)', at: [-50, 320, 32, 100, 0], want: [0, 10] },
    { name: 'empty', at: [0, 320, 32, 0, 8], want: [0, 0] },
  ])('$name', ({ at, want }) => {
    const [scrollTop, viewport, rowHeight, count, overscan] = at
    const w = visibleWindow(scrollTop, viewport, rowHeight, count, overscan)
    expect([w.start, w.end]).toEqual(want)
    // The spacers and the rendered rows always add up to the full height.
    expect(w.padTop + (w.end - w.start) * rowHeight + w.padBottom).toBe(count * rowHeight)
  })

  it('renders a bounded number of rows whatever the count', () => {
    for (const count of [10, 1000, 100_000, 1_000_000]) {
      const w = visibleWindow(count * 16, 800, 32, count)
      expect(w.end - w.start).toBeLessThanOrEqual(800 / 32 + 1 + 16)
    }
  })
})

describe('scrollToRow', () => {
  it.each([
    { name: 'already visible', args: [5, 0, 320, 32], want: 0 },
    { name: 'above: its top at the top', args: [2, 200, 320, 32], want: 64 },
    { name: 'below: its bottom at the bottom', args: [20, 0, 320, 32], want: 21 * 32 - 320 },
    { name: 'partly below', args: [9, 0, 300, 32], want: 10 * 32 - 300 },
    { name: 'first row', args: [0, 500, 320, 32], want: 0 },
  ])('$name', ({ args, want }) => {
    const [i, top, viewport, h] = args
    expect(scrollToRow(i, top, viewport, h)).toBe(want)
  })
})

describe('nearEnd and pageRows', () => {
  it('asks for more within the threshold of the last loaded row', () => {
    expect(nearEnd(0, 320, 32, 200, 50)).toBe(false)
    expect(nearEnd(32 * 140, 320, 32, 200, 50)).toBe(true) // bottom at row 150
    expect(nearEnd(32 * 139, 320, 32, 200, 50)).toBe(false) // bottom at row 149
    expect(nearEnd(0, 320, 32, 5, 50)).toBe(true)
  })
  it('pages by what fits, at least one row', () => {
    expect(pageRows(320, 32)).toBe(9)
    expect(pageRows(10, 32)).toBe(1)
  })
})
