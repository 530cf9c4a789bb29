// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte'
import SecretsSection from './SecretsSection.svelte'
import { FakeSecrets, secretInfo } from '../../testing/fake-backend'

function setup() {
  const api = new FakeSecrets()
  api.list_ = [
    secretInfo('github', {
      note: 'project X, read-only',
      last_used_at: '2026-11-26T11:00:00Z',
      referenced_by: [{ client: 'claude-code', server: 'gh', config: '/home/me/.claude.json' }],
    }),
    secretInfo('openai', { note: 'spare key' }),
  ]
  api.values.set('github', 'ghp_value_github')
  api.values.set('openai', 'sk-value-openai')
  render(SecretsSection, { api })
  return api
}

const row = (name: string) => document.querySelector(`[data-secret="${name}"]`) as HTMLElement

afterEach(() => vi.useRealTimers())

describe('secrets section', () => {
  it('lists names, notes, references and last use, and no value', async () => {
    setup()
    await screen.findByText('github')
    expect(row('github').textContent).toContain('project X, read-only')
    expect(row('github').textContent).toContain('claude-code/gh')
    expect(row('openai').textContent).toContain('never')
    expect(document.body.textContent).not.toContain('ghp_value_github')
    expect(document.body.textContent).not.toContain('sk-value-openai')
  })

  it('adds a secret from a masked field and lists it', async () => {
    const api = setup()
    await screen.findByText('github')
    const form = screen.getByRole('form', { name: 'add secret' })
    const [nameIn, noteIn] = within(form).getAllByRole('textbox')
    const valueIn = form.querySelector('input[type="password"]') as HTMLInputElement
    expect(valueIn).not.toBeNull()
    await fireEvent.input(nameIn, { target: { value: 'linear' } })
    await fireEvent.input(valueIn, { target: { value: 'lin_api_123' } })
    await fireEvent.input(noteIn, { target: { value: 'team board' } })
    await fireEvent.click(within(form).getByRole('button', { name: 'Add' }))
    await waitFor(() => expect(api.sets).toEqual([['linear', 'lin_api_123', 'team board']]))
    await waitFor(() => expect(row('linear')).not.toBeNull())
    expect(valueIn.value).toBe('')
    expect(document.body.textContent).not.toContain('lin_api_123')
  })

  it('shows the error when storing fails', async () => {
    const api = setup()
    api.setError = new Error('nothing stored: the keychain is locked')
    await screen.findByText('github')
    const form = screen.getByRole('form', { name: 'add secret' })
    await fireEvent.input(within(form).getAllByRole('textbox')[0], { target: { value: 'x' } })
    await fireEvent.input(form.querySelector('input[type="password"]')!, { target: { value: 'v' } })
    await fireEvent.click(within(form).getByRole('button', { name: 'Add' }))
    expect((await screen.findByRole('alert')).textContent).toContain('the keychain is locked')
  })

  it('reveals a value only on click and hides it after 10 s', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const api = setup()
    await screen.findByText('github')
    expect(api.reveals).toEqual([])
    await fireEvent.click(within(row('github')).getByRole('button', { name: 'Reveal' }))
    expect((await screen.findByTestId('revealed')).textContent).toBe('ghp_value_github')
    expect(api.reveals).toEqual(['github'])
    await vi.advanceTimersByTimeAsync(9_000)
    expect(screen.queryByTestId('revealed')).not.toBeNull()
    await vi.advanceTimersByTimeAsync(1_100)
    expect(screen.queryByTestId('revealed')).toBeNull()
    expect(document.body.textContent).not.toContain('ghp_value_github')
  })

  it('deletes only after a confirmation, forcing when the secret is referenced', async () => {
    const api = setup()
    await screen.findByText('github')
    await fireEvent.click(within(row('openai')).getByRole('button', { name: 'Delete…' }))
    expect(api.removed).toEqual([])
    await fireEvent.click(within(row('openai')).getByRole('button', { name: 'Cancel' }))
    expect(api.removed).toEqual([])
    await fireEvent.click(within(row('openai')).getByRole('button', { name: 'Delete…' }))
    await fireEvent.click(within(row('openai')).getByRole('button', { name: 'Delete' }))
    await waitFor(() => expect(api.removed).toEqual([['openai', false]]))
    await waitFor(() => expect(row('openai')).toBeNull())

    await fireEvent.click(within(row('github')).getByRole('button', { name: 'Delete…' }))
    const dialog = within(row('github')).getByRole('alertdialog')
    expect(dialog.textContent).toContain('claude-code/gh')
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Delete' }))
    await waitFor(() => expect(api.removed).toEqual([['openai', false], ['github', true]]))
  })
})
