// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { fireEvent, render, screen } from '@testing-library/svelte'
import { flushSync } from 'svelte'
import App from './App.svelte'
import { ApprovalsStore } from './lib/approvals.svelte'
import { RulesStore } from './lib/rules.svelte'
import { events } from './lib/backend'
import { FakeBackend, pendingCall } from './testing/fake-backend'

async function setup(calls = [pendingCall('a', 1), pendingCall('b', 2)]) {
  const be = new FakeBackend()
  be.autoPending = calls
  const approvals = new ApprovalsStore(be)
  const view = render(App, { approvals, rules: new RulesStore(be), backend: be })
  await new Promise((r) => setTimeout(r, 0))
  flushSync()
  return { be, approvals, view }
}

const popupShown = () => screen.queryByRole('dialog', { name: 'approve a tool call' }) !== null

describe('App', () => {
  it('shows the popup while calls wait, the main view after "decide later", and the popup again for a new call', async () => {
    const { be } = await setup()
    expect(popupShown()).toBe(true)
    await fireEvent.click(screen.getByRole('button', { name: 'Decide later in the main window' }))
    expect(popupShown()).toBe(false)
    expect(screen.getByRole('navigation', { name: 'sections' })).toBeTruthy()
    expect(document.querySelectorAll('[data-call-id]')).toHaveLength(2) // still listed in Approvals

    be.emit(events.approvalAdded, { kind: 'added', pending: pendingCall('c', 3) })
    flushSync()
    expect(popupShown()).toBe(true)
  })

  it('a call picked in the tray or a notification is the one shown', async () => {
    const { be } = await setup()
    expect(document.querySelector('[data-call-id]')?.getAttribute('data-call-id')).toBe('a')
    be.emit(events.approvalFocus, 'b')
    flushSync()
    expect(document.querySelector('[data-call-id]')?.getAttribute('data-call-id')).toBe('b')
    expect(screen.getByTestId('counter').textContent).toBe('2 of 2')
  })

  it('reports visibility and focus to Go, and stops listening when unmounted', async () => {
    const { be, view } = await setup()
    expect(be.windowReports.length).toBeGreaterThan(0)
    window.dispatchEvent(new Event('blur'))
    const n = be.windowReports.length
    view.unmount()
    window.dispatchEvent(new Event('focus'))
    expect(be.windowReports.length).toBe(n)
    expect(be.count()).toBe(0)
  })

  it('says so when the core stopped serving shims', async () => {
    const { be } = await setup([])
    be.emit(events.coreError, 'listen: address in use')
    flushSync()
    expect(screen.getByRole('alert').textContent).toContain('listen: address in use')
  })
})
