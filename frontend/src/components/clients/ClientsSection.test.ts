// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte'
import ClientsSection from './ClientsSection.svelte'
import SecretsSection from '../secrets/SecretsSection.svelte'
import MainView from '../../views/MainView.svelte'
import { FakeBackend, FakeClients, FakeSecrets, clientServer } from '../../testing/fake-backend'
import { ClientsStore } from '../../lib/clients.svelte'
import { ApprovalsStore } from '../../lib/approvals.svelte'
import { RulesStore } from '../../lib/rules.svelte'
import type { ClientInfo } from '../../lib/types'

function fixture(): ClientInfo[] {
  return [
    {
      id: 'claude-desktop',
      name: 'Claude Desktop',
      launches_stdio: true,
      configs: [
        {
          path: '/home/me/.config/Claude/claude_desktop_config.json',
          scope: 'user',
          format: 'json',
          read_only: false,
          servers: [
            clientServer('filesystem'),
            clientServer('brave-search', { secret_fields: ['env.BRAVE_API_KEY'] }),
            clientServer('linear', { transport: 'remote', wrappable: false, command: undefined, args: [], url: 'https://mcp.linear.app/sse', reason: 'remote server: no stdio bridge for this client' }),
          ],
        },
      ],
    },
    {
      id: 'cursor',
      name: 'Cursor',
      launches_stdio: true,
      configs: [{ path: '/home/me/.cursor/mcp.json', scope: 'user', format: 'json', read_only: false, error: 'invalid character } at line 3', servers: [] }],
    },
  ]
}

function setup(list = fixture(), prepare: (api: FakeClients) => void = () => {}) {
  const api = new FakeClients(list)
  prepare(api)
  const be = new FakeBackend()
  const store = new ClientsStore(api)
  const stop = store.listen(be) // the main view does this
  const view = render(ClientsSection, { store })
  return { api, be, view, store, stop }
}

const row = (name: string) => document.querySelector(`[data-server="${name}"]`) as HTMLElement

/** Waits until selector matches (waitFor retries only on a throw). */
const found = (selector: string) =>
  waitFor(() => {
    const el = document.querySelector(selector)
    if (!el) throw new Error(`nothing matches ${selector}`)
    return el as HTMLElement
  })

describe('clients section', () => {
  it('lists clients, files and servers with their protection, and the parse error', async () => {
    setup()
    await screen.findByText('filesystem')
    expect(row('filesystem').textContent).toContain('not protected')
    expect(row('linear').textContent).toContain('remote, not wrapped')
    expect(row('linear').textContent).toContain('no stdio bridge')
    expect(within(row('linear')).queryByRole('button')).toBeNull()
    expect(row('brave-search').textContent).toContain('env.BRAVE_API_KEY')
    const cursor = document.querySelector('[data-client="cursor"]') as HTMLElement
    expect(within(cursor).getByRole('alert').textContent).toMatch(/nothing in it will be changed: invalid character/)
  })

  it('a stdio bridge to a remote server is wrappable like any stdio server', async () => {
    const list = fixture()
    list[0].configs[0].servers = [clientServer('bridge', { transport: 'remote', args: ['-y', 'mcp-remote', 'https://mcp.example/sse'] })]
    setup(list)
    await screen.findByText('bridge')
    expect(row('bridge').querySelector('.state')?.textContent).toBe('not protected')
    expect(within(row('bridge')).getByRole('button', { name: 'wrap bridge' })).toBeTruthy()
    expect(screen.getByText(/1 server is not protected/)).toBeTruthy()
  })

  it('wraps one server only after the preview is confirmed', async () => {
    const { api } = setup()
    await screen.findByText('filesystem')
    await fireEvent.click(screen.getByRole('button', { name: 'wrap filesystem' }))
    const dialog = await screen.findByRole('dialog')
    expect(dialog.textContent).toContain('would be wrapped')
    expect(dialog.querySelector('pre.diff .d-add')?.textContent).toContain('/bin/countersign')
    expect(api.calls.filter((c) => c.startsWith('wrap'))).toEqual([])
    const confirm = within(dialog).getByRole('button', { name: 'Wrap' })
    await waitFor(() => expect(document.activeElement).toBe(confirm))
    await fireEvent.click(confirm)
    await waitFor(() => expect(api.calls).toContain('wrap claude-desktop /mcpServers/filesystem'))
    await waitFor(() => expect(row('filesystem').textContent).toContain('protected'))
    expect(row('filesystem').textContent).not.toContain('not protected')
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(screen.getByRole('status').textContent).toContain('filesystem: wrapped')
  })

  it('Esc cancels the preview and writes nothing', async () => {
    const { api } = setup()
    await screen.findByText('filesystem')
    await fireEvent.click(screen.getByRole('button', { name: 'wrap filesystem' }))
    const dialog = await screen.findByRole('dialog')
    await fireEvent.keyDown(dialog, { key: 'Escape' })
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(api.calls.filter((c) => c.startsWith('wrap'))).toEqual([])
  })

  it('protect all previews every unprotected stdio server of the client', async () => {
    const { api } = setup()
    await screen.findByText('filesystem')
    const card = document.querySelector('[data-client="claude-desktop"]') as HTMLElement
    await fireEvent.click(within(card).getByRole('button', { name: 'Protect all (2)' }))
    await screen.findByRole('dialog')
    expect(api.calls).toContain('preview claude-desktop /mcpServers/filesystem,/mcpServers/brave-search wrap')
  })

  it('refreshes on clients:changed', async () => {
    const { api, be } = setup()
    await screen.findByText('filesystem')
    api.list_[0].configs[0].servers.push(clientServer('sneaky'))
    be.emit('clients:changed')
    await waitFor(() => expect(row('sneaky')).not.toBeNull())
    expect(row('sneaky').textContent).toContain('not protected')
  })

  it('restores a backup after a confirmation', async () => {
    const { api } = setup(fixture(), (api) => {
      api.backups_ = [{ client_id: 'claude-desktop', path: '/home/me/.config/Claude/claude_desktop_config.json', file: '/s/b1.bak', time: '2026-11-26T12:00:00Z', sha256: 'x', size: 42 }]
    })
    await screen.findByText('filesystem')
    const b = await found('[data-backup="/s/b1.bak"]')
    await fireEvent.click(within(b).getByRole('button', { name: 'Restore…' }))
    expect(api.calls.filter((c) => c.startsWith('restore'))).toEqual([])
    await fireEvent.click(within(b).getByRole('button', { name: 'Restore' }))
    await waitFor(() => expect(api.calls).toContain('restore /s/b1.bak'))
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('Restored'))
  })
})

describe('plaintext secrets panel', () => {
  it('on the Secrets page: key names with values masked; Move previews first, then moves', async () => {
    const clients = new FakeClients(fixture())
    render(SecretsSection, { api: new FakeSecrets(), clients: new ClientsStore(clients) })
    const r = await found('[data-plaintext="brave-search"]')
    expect(r.textContent).toContain('env.BRAVE_API_KEY = ••••••')
    await fireEvent.click(within(r).getByRole('button', { name: 'Move to keychain…' }))
    const dialog = await screen.findByRole('dialog')
    expect(clients.calls).toContain('preview-migrate claude-desktop /mcpServers/brave-search')
    expect(clients.calls.filter((c) => c.startsWith('migrate'))).toEqual([])
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Move to keychain' }))
    await waitFor(() => expect(clients.calls).toContain('migrate claude-desktop /mcpServers/brave-search'))
    await waitFor(() => expect(document.querySelector('[data-plaintext="brave-search"]')).toBeNull())
  })
})

describe('new unprotected server seen by the watcher', () => {
  function main() {
    const api = new FakeClients(fixture())
    const be = new FakeBackend()
    be.clients = api
    be.autoPending = []
    render(MainView, { approvals: new ApprovalsStore(be), rules: new RulesStore(be), backend: be, now: 0 })
    return { api, be }
  }
  const added = (name: string) => ({
    client_id: 'claude-desktop',
    client_name: 'Claude Desktop',
    path: '/home/me/.config/Claude/claude_desktop_config.json',
    file: 'changed',
    servers: [{ kind: 'added', name, locator: `/mcpServers/${name}`, unprotected: true }],
  })

  it('badges the Clients section, and the notification click opens it on Wrap / Ignore', async () => {
    const { api, be } = main()
    await waitFor(() => expect(api.calls).toContain('list'))
    api.list_[0].configs[0].servers.push(clientServer('sneaky'))
    be.emit('clients:changed', added('sneaky'))
    const nav = screen.getByRole('navigation', { name: 'sections' })
    await waitFor(() => expect(within(nav).getByRole('button', { name: /Clients/ }).textContent).toContain('1'))
    be.emit('clients:focus', { client_id: 'claude-desktop', locator: '/mcpServers/sneaky' })
    const banner = await found('[data-attention="sneaky"]')
    expect(banner.textContent).toContain('Claude Desktop added server sneaky')
    expect(row('sneaky').classList.contains('focused')).toBe(true)
    await fireEvent.click(within(banner).getByRole('button', { name: 'Wrap…' }))
    const dialog = await screen.findByRole('dialog')
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Wrap' }))
    await waitFor(() => expect(api.calls).toContain('wrap claude-desktop /mcpServers/sneaky'))
    await waitFor(() => expect(document.querySelector('[data-attention="sneaky"]')).toBeNull())
    expect(within(nav).getByRole('button', { name: /Clients/ }).textContent).not.toContain('1')
  })

  it('Ignore forgets it without writing', async () => {
    const { api, be } = main()
    await waitFor(() => expect(api.calls).toContain('list'))
    api.list_[0].configs[0].servers.push(clientServer('sneaky'))
    be.emit('clients:changed', added('sneaky'))
    be.emit('clients:focus', { client_id: 'claude-desktop', locator: '/mcpServers/sneaky' })
    const banner = await found('[data-attention="sneaky"]')
    await fireEvent.click(within(banner).getByRole('button', { name: 'Ignore' }))
    await waitFor(() => expect(document.querySelector('[data-attention="sneaky"]')).toBeNull())
    expect(api.calls.filter((c) => c.startsWith('wrap') || c.startsWith('preview'))).toEqual([])
    expect(row('sneaky').textContent).toContain('not protected')
  })
})
