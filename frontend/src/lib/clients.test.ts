import { describe, expect, it } from 'vitest'
import { ClientsStore, outcome, unprotected } from './clients.svelte'
import { FakeBackend, FakeClients, clientServer } from '../testing/fake-backend'
import type { ClientInfo } from './types'

function desktop(): ClientInfo {
  return {
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
          clientServer('gh', { wrapped: true, wrappable: false, inner: ['npx', 'gh'] }),
          clientServer('linear', { transport: 'remote', wrappable: false, command: undefined, url: 'https://x', reason: 'remote: the client cannot launch a stdio bridge' }),
        ],
      },
    ],
  }
}

describe('clients store', () => {
  it('previews, writes nothing until confirmed, then wraps and re-reads', async () => {
    const api = new FakeClients([desktop()])
    const s = new ClientsStore(api)
    await s.load()
    expect(s.clients[0].configs[0].servers.map((x) => x.name)).toEqual(['filesystem', 'brave-search', 'gh', 'linear'])
    await s.propose('wrap', { client: 'claude-desktop', servers: ['/mcpServers/filesystem'] }, 'Wrap filesystem')
    expect(s.proposal?.result.files[0].diff).toContain('countersign')
    expect(api.calls.some((c) => c.startsWith('wrap'))).toBe(false)
    expect(await s.confirm()).toBe(true)
    expect(api.calls).toContain('wrap claude-desktop /mcpServers/filesystem')
    expect(s.proposal).toBeNull()
    expect(s.message).toMatch(/filesystem: wrapped/)
    expect(s.clients[0].configs[0].servers[0].wrapped).toBe(true)
    expect(s.backups).toHaveLength(1)
  })

  it('cancel drops the proposal without writing', async () => {
    const api = new FakeClients([desktop()])
    const s = new ClientsStore(api)
    await s.load()
    await s.propose('unwrap', { client: 'claude-desktop', servers: ['/mcpServers/gh'] }, 'Unwrap gh')
    s.cancel()
    expect(s.proposal).toBeNull()
    expect(api.calls.filter((c) => c.startsWith('unwrap'))).toEqual([])
  })

  it('shows a failed write and keeps the proposal', async () => {
    const api = new FakeClients([desktop()])
    api.wrapError = new Error('clients: config file kept changing while it was being rewritten')
    const s = new ClientsStore(api)
    await s.load()
    await s.propose('wrap', { client: 'claude-desktop', servers: ['/mcpServers/filesystem'] }, 'Wrap filesystem')
    expect(await s.confirm()).toBe(false)
    expect(s.error).toContain('kept changing')
    expect(s.proposal).not.toBeNull()
  })

  it('re-reads on clients:changed and stops listening when asked', async () => {
    const api = new FakeClients([desktop()])
    const be = new FakeBackend()
    const s = new ClientsStore(api)
    const stop = s.listen(be)
    api.list_[0].configs[0].servers.push(clientServer('sneaky'))
    be.emit('clients:changed')
    await new Promise((r) => setTimeout(r, 0))
    expect(s.clients[0].configs[0].servers.map((x) => x.name)).toContain('sneaky')
    stop()
    expect(be.count()).toBe(0)
  })

  it('lists plaintext findings by field name; a move previews with previewMigrate, then migrates', async () => {
    const api = new FakeClients([desktop()])
    const s = new ClientsStore(api)
    await s.load()
    expect(s.plaintext.map((f) => [f.server.name, f.fields])).toEqual([['brave-search', ['env.BRAVE_API_KEY']]])
    await s.propose('migrate', { client: 'claude-desktop', servers: ['/mcpServers/brave-search'] }, 'Move')
    expect(api.calls).toContain('preview-migrate claude-desktop /mcpServers/brave-search')
    expect(api.calls.some((c) => c.startsWith('preview claude'))).toBe(false)
    expect(await s.confirm()).toBe(true)
    expect(api.calls).toContain('migrate claude-desktop /mcpServers/brave-search')
    expect(s.plaintext).toEqual([])
  })

  it('protect all takes only unwrapped stdio servers of writable, readable files', () => {
    const c = desktop()
    c.configs.push({ path: '/etc/managed.json', scope: 'managed', format: 'json', read_only: true, servers: [clientServer('admin')] })
    c.configs.push({ path: '/bad.json', scope: 'user', format: 'json', read_only: false, error: 'invalid character', servers: [] })
    expect(unprotected(c).map((s) => s.name)).toEqual(['filesystem', 'brave-search'])
  })
})

describe('outcome', () => {
  const file = { client: 'c', path: '/p', symlink: false, changed: true }
  it.each([
    [{ dry_run: false, not_found: [], files: [{ ...file, servers: [{ server: 'a', action: 'wrapped' as const, status: 'wrapped' }] }] }, true, 'a: wrapped'],
    [{ dry_run: false, not_found: [], files: [{ ...file, error: 'permission denied', servers: [] }] }, false, 'permission denied'],
    [{ dry_run: false, not_found: [{ client: 'c', server: 'x' }], files: [] }, false, 'x: not found'],
    [{ dry_run: false, not_found: [], files: [{ ...file, servers: [{ server: 'r', action: 'skipped' as const, status: 'remote, not wrapped' }] }] }, false, 'remote, not wrapped'],
    [{ dry_run: false, not_found: [], files: [{ ...file, changed: false, servers: [{ server: 'a', action: 'unchanged' as const, status: 'already wrapped' }] }] }, true, 'already protected'],
  ])('%#', (r, ok, text) => {
    const o = outcome('wrap', r)
    expect(o.ok).toBe(ok)
    expect(o.text).toContain(text)
  })
})
