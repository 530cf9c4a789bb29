// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { flushSync } from 'svelte'
import PopupView from './PopupView.svelte'
import { ApprovalsStore } from '../lib/approvals.svelte'
import { RulesStore } from '../lib/rules.svelte'
import { events } from '../lib/backend'
import { FakeBackend, pendingCall } from '../testing/fake-backend'

const T0 = Date.parse('2026-11-26T12:00:01Z')

async function setup(calls: ReturnType<typeof pendingCall>[] = [], { armMs = 0, now = T0 } = {}) {
  const be = new FakeBackend()
  be.autoPending = calls
  const approvals = new ApprovalsStore(be)
  const rules = new RulesStore(be)
  const stops = [approvals.start(), rules.start()]
  await approvals.load()
  const view = render(PopupView, { approvals, rules, now, armMs })
  return { be, approvals, rules, view, stop: () => stops.forEach((s) => s()) }
}

const counter = () => screen.getByTestId('counter').textContent
const shownId = () => document.querySelector('[data-call-id]')?.getAttribute('data-call-id')
const key = (k: string, target: Element | Window = window) => fireEvent.keyDown(target, { key: k })

afterEach(() => vi.useRealTimers())

describe('countdown', () => {
  it('counts down to the deadline and turns urgent in the last ten seconds', async () => {
    const { view } = await setup([pendingCall('a', 1)]) // deadline 12:00:56
    expect(screen.getByTestId('countdown').textContent).toBe('0:55')
    await view.rerender({ now: T0 + 46_000 })
    expect(screen.getByTestId('countdown').textContent).toBe('0:09')
    expect(screen.getByRole('timer').classList.contains('urgent')).toBe(true)
    await view.rerender({ now: T0 + 120_000 })
    expect(screen.getByTestId('countdown').textContent).toBe('0:00')
    expect(screen.getByRole('timer').textContent).toContain('Denying now')
  })
})

describe('queueing', () => {
  it('two calls arriving at once are both queued, and a removed one leaves at once', async () => {
    const { be } = await setup([])
    be.emit(events.approvalAdded, { kind: 'added', pending: pendingCall('a', 1, { tool: 'read_file' }) })
    be.emit(events.approvalAdded, { kind: 'added', pending: pendingCall('b', 2, { tool: 'delete_file' }) })
    flushSync()
    expect(counter()).toBe('1 of 2')
    expect(shownId()).toBe('a')

    // Decided from the CLI: the broker's removed event takes it away.
    be.emit(events.approvalRemoved, { kind: 'removed', pending: pendingCall('a', 1) })
    flushSync()
    expect(counter()).toBe('1 of 1')
    expect(shownId()).toBe('b')
    expect(screen.getByRole('heading', { level: 2 }).textContent).toContain('delete_file')
  })

  it('removing another call keeps the one being read, and the arrows move through the queue', async () => {
    const { be } = await setup([pendingCall('a', 1), pendingCall('b', 2), pendingCall('c', 3)])
    key('ArrowRight')
    flushSync()
    expect([counter(), shownId()]).toEqual(['2 of 3', 'b'])
    be.emit(events.approvalRemoved, { kind: 'removed', pending: pendingCall('a', 1) })
    flushSync()
    expect([counter(), shownId()]).toEqual(['1 of 2', 'b'])
    key('ArrowLeft')
    flushSync()
    expect([counter(), shownId()]).toEqual(['2 of 2', 'c'])
  })
})

describe('keyboard shortcuts', () => {
  it('Enter approves once', async () => {
    const { be } = await setup([pendingCall('a', 1)])
    key('Enter')
    await waitFor(() => expect(be.decided).toEqual([['a', { action: 'approve', scope: 'once' }]]))
  })

  it('Esc denies', async () => {
    const { be } = await setup([pendingCall('a', 1)])
    key('Escape')
    await waitFor(() => expect(be.decided).toEqual([['a', { action: 'deny', scope: 'once' }]]))
  })

  it('S approves for the session', async () => {
    const { be } = await setup([pendingCall('a', 1)])
    key('s')
    await waitFor(() => expect(be.decided).toEqual([['a', { action: 'approve', scope: 'session' }]]))
  })

  it('keys typed into the note field do not act; Enter there sends the note with a denial', async () => {
    const { be } = await setup([pendingCall('a', 1)])
    key('n')
    flushSync()
    const note = screen.getByLabelText(/note for the model/i) as HTMLInputElement
    expect(document.activeElement).toBe(note)
    for (const k of ['s', 'a', 'n']) key(k, note)
    key('Enter', note) // a keydown alone must not approve
    await fireEvent.input(note, { target: { value: 'use staging' } })
    key('Escape', note) // closes the note, does not deny
    flushSync()
    await new Promise((r) => setTimeout(r, 10))
    expect(be.decided).toEqual([])
    expect(screen.queryByLabelText(/note for the model/i)).toBeNull()

    key('n')
    flushSync()
    const again = screen.getByLabelText(/note for the model/i) as HTMLInputElement
    await fireEvent.input(again, { target: { value: 'use the staging bucket' } })
    await fireEvent.submit(again.form!)
    await waitFor(() => expect(be.decided).toEqual([['a', { action: 'deny', scope: 'once', note: 'use the staging bucket' }]]))
  })

  it('Enter on a focused button is that button, not approve', async () => {
    const { be } = await setup([pendingCall('a', 1)])
    const deny = screen.getByRole('button', { name: 'Deny' })
    deny.focus()
    key('Enter', deny)
    await new Promise((r) => setTimeout(r, 10))
    expect(be.decided).toEqual([])
  })

  it('approving is armed only after a short delay; denying works at once', async () => {
    vi.useFakeTimers()
    const { be } = await setup([pendingCall('a', 1)], { armMs: 400 })
    key('Enter')
    await vi.advanceTimersByTimeAsync(10)
    expect(be.decided).toEqual([])
    expect((screen.getByRole('button', { name: /approve once/i }) as HTMLButtonElement).disabled).toBe(true)
    await vi.advanceTimersByTimeAsync(400)
    key('Enter')
    await vi.advanceTimersByTimeAsync(10)
    expect(be.decided).toEqual([['a', { action: 'approve', scope: 'once' }]])
  })

  it('every action is a button reachable by Tab, in reading order', async () => {
    await setup([pendingCall('a', 1)])
    const actions = screen.getByRole('group', { name: 'decision' })
    const buttons = [...actions.querySelectorAll('button')]
    expect(buttons.map((b) => [b.textContent?.replace(/(Enter|Esc|[SAN])$/, '').trim(), b.getAttribute('aria-keyshortcuts')])).toEqual([
      ['Approve once', 'Enter'],
      ['Approve for this session', 'S'],
      ['Always allow…', 'A'],
      ['Deny', 'Escape'],
      ['Deny with note…', 'N'],
    ])
    expect(screen.getAllByRole('button').every((b) => b.tabIndex >= 0)).toBe(true)
  })
})

describe('always allow', () => {
  it('with these argument values: adds a rule with the prefilled globs, then approves once', async () => {
    const { be } = await setup([pendingCall('a', 1, { arguments: { path: '/tmp/a*.txt', mode: 'w', n: 2 } })])
    key('a')
    flushSync()
    await fireEvent.click(screen.getByLabelText(/with these argument values/i))
    expect((screen.getByLabelText('pattern for path') as HTMLInputElement).value).toBe('/tmp/a\\*.txt')
    await fireEvent.click(screen.getByLabelText('mode', { exact: false, selector: 'input[type=checkbox]' }))
    await fireEvent.click(screen.getByRole('button', { name: 'Allow always' }))
    await waitFor(() => expect(be.decided).toEqual([['a', { action: 'approve', scope: 'once' }]]))
    expect(be.added).toHaveLength(1)
    expect(be.added[0]).toMatchObject({ action: 'allow', server: 'fs', tool: 'write_file', args: [{ path: 'path', glob: '/tmp/a\\*.txt' }] })
  })

  it('this tool: approves with scope always and adds no rule itself', async () => {
    const { be } = await setup([pendingCall('a', 1, { arguments: { path: '/tmp/x' } })])
    key('a')
    flushSync()
    await fireEvent.click(screen.getByRole('button', { name: 'Allow always' }))
    await waitFor(() => expect(be.decided).toEqual([['a', { action: 'approve', scope: 'always' }]]))
    expect(be.added).toEqual([])
  })

  it('a refused rule leaves the call waiting and says why', async () => {
    const { be } = await setup([pendingCall('a', 1, { arguments: { path: '/tmp/x' } })])
    be.addError = new Error('add rule: invalid glob')
    key('a')
    flushSync()
    await fireEvent.click(screen.getByLabelText(/with these argument values/i))
    await fireEvent.click(screen.getByRole('button', { name: 'Allow always' }))
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('invalid glob'))
    expect(be.decided).toEqual([])
  })
})

describe('flags', () => {
  it('shows risks apart from the server claims, secrets in red', async () => {
    await setup([
      pendingCall('a', 1, { flags: ['destructive (claimed by the server)', 'carries a key shape github-token', 'name collision with server gh'] }),
    ])
    const risks = screen.getByRole('list', { name: 'risk flags' })
    expect(risks.querySelector('.danger')?.textContent).toContain('github-token')
    expect(risks.querySelector('.warning')?.textContent).toContain('name collision')
    expect(screen.getByText('destructive').closest('.claims')?.textContent).toContain('Claimed by the server')
  })
})
