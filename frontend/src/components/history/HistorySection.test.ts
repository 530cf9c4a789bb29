// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte'
import HistorySection from './HistorySection.svelte'
import { FakeBackend, FakeHistory, historyCall } from '../../testing/fake-backend'
import { events } from '../../lib/backend'

function setup(n = 1000) {
  const calls = Array.from({ length: n }, (_, i) => historyCall(`c${i}`, i))
  calls.push(
    historyCall('evil', n + 1, {
      server: 'web',
      tool: 'fetch',
      arguments: { url: 'https://x.test/<img src=x onerror=alert(1)>', q: 'find secret (a.b)' },
      note: '<b>bold</b> secret',
      decision: 'denied',
    }),
  )
  const api = new FakeHistory(calls)
  const be = new FakeBackend()
  be.history = api
  render(HistorySection, { api, backend: be })
  return { api, be }
}

const grid = () => screen.getByRole('grid', { name: 'recorded calls' })
const domRows = () => document.querySelectorAll('tr.call-row')

describe('history section', () => {
  it('keeps only the rows in view in the DOM', async () => {
    setup(1000)
    await waitFor(() => expect(domRows().length).toBeGreaterThan(0))
    // 200 loaded (one page), a 480 px viewport of 32 px rows: 15 + overscan.
    expect(domRows().length).toBeLessThanOrEqual(15 + 8)
    expect(grid().getAttribute('aria-rowcount')).toBe('200')
  })

  it('moves with the keyboard, opens with Enter and closes with Esc', async () => {
    setup(50)
    await waitFor(() => expect(domRows().length).toBeGreaterThan(0))
    const g = grid()
    g.focus()
    await fireEvent.keyDown(g, { key: 'ArrowDown' })
    await fireEvent.keyDown(g, { key: 'ArrowDown' })
    expect(g.getAttribute('aria-activedescendant')).toBe('hrow-2')
    expect(document.querySelector('tr.selected')?.getAttribute('data-id')).toBe('c48') // evil, c49, c48
    await fireEvent.keyDown(g, { key: 'Enter' })
    const detail = await screen.findByRole('complementary', { name: 'call detail' })
    expect(detail.getAttribute('data-call')).toBe('c48')
    await within(detail).findByText(/result of c48/)
    await fireEvent.keyDown(g, { key: 'Escape' })
    expect(screen.queryByRole('complementary', { name: 'call detail' })).toBeNull()
    await fireEvent.keyDown(g, { key: 'End' })
    expect(document.querySelector('tr.selected')?.getAttribute('data-id')).toBe('c0')
  })

  it('highlights the searched words as text, never as markup', async () => {
    const { api } = setup(20)
    await waitFor(() => expect(domRows().length).toBeGreaterThan(0))
    await fireEvent.input(screen.getByRole('searchbox', { name: 'search' }), { target: { value: 'secret (a.b' } })
    await fireEvent.submit(screen.getByRole('form', { name: 'search history' }))
    await waitFor(() => expect(domRows()).toHaveLength(1))
    expect(api.queries.at(-1)?.search).toBe('secret (a.b')
    const row = domRows()[0] as HTMLElement
    expect(row.querySelector('img, b')).toBeNull()
    expect(row.textContent).toContain('<b>bold</b>')
    // The note "<b>bold</b> secret" has the token b twice (as text), then the arguments.
    expect([...row.querySelectorAll('mark.hit')].map((m) => m.textContent)).toEqual(['b', 'b', 'secret', 'secret', 'a', 'b'])

    await fireEvent.click(row)
    const detail = await screen.findByRole('complementary', { name: 'call detail' })
    expect(detail.querySelector('img, b')).toBeNull()
    const args = within(detail).getByRole('tree', { name: 'arguments' })
    expect([...args.querySelectorAll('mark.hit')].map((m) => m.textContent)).toEqual(['secret', 'a', 'b'])
    expect(args.textContent).toContain('<img src=x onerror=alert(1)>')
  })

  it('shows live calls at the top, or a count when scrolled away', async () => {
    const { be } = setup(300)
    await waitFor(() => expect(domRows().length).toBeGreaterThan(0))
    be.emit(events.historyAdded, historyCall('live-1', 5000))
    await waitFor(() => expect(domRows()[0].getAttribute('data-id')).toBe('live-1'))
    const g = grid()
    g.scrollTop = 32 * 100
    await fireEvent.scroll(g)
    be.emit(events.historyAdded, historyCall('live-2', 5001))
    const button = await screen.findByRole('button', { name: /1 new call/ })
    await fireEvent.click(button)
    await waitFor(() => expect(domRows()[0].getAttribute('data-id')).toBe('live-2'))
    expect(screen.queryByRole('button', { name: /new call/ })).toBeNull()
  })

  it('makes a rule from a call: this tool with these argument values', async () => {
    const { be } = setup(5)
    await waitFor(() => expect(domRows().length).toBeGreaterThan(0))
    await fireEvent.click(domRows()[0]) // evil: denied
    const form = await screen.findByRole('form', { name: 'make a rule from this call' })
    expect((within(form).getByLabelText('Always deny') as HTMLInputElement).checked).toBe(true)
    await fireEvent.click(within(form).getByLabelText(/this tool with these argument values/))
    await fireEvent.click(within(form).getAllByRole('checkbox')[1]) // leave q out
    await fireEvent.click(within(form).getByRole('button', { name: 'Add deny rule' }))
    await within(form).findByText(/Added rule/)
    expect(be.added).toEqual([
      { action: 'deny', server: 'web', tool: 'fetch', note: 'from history call evil', args: [{ path: 'url', glob: 'https://x.test/<img src=x onerror=alert(1)>' }] },
    ])
    expect(within(form).getByRole('status').textContent).toMatch(/r1.*deny.*web · fetch · url=/s)
  })
})
