// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { fireEvent, render, screen, within } from '@testing-library/svelte'
import ClientCard from './ClientCard.svelte'
import { clientServer } from '../../testing/fake-backend'
import type { ClientInfo, ClientTarget } from '../../lib/types'

// VS Code keeps a user mcp.json for the stable and the Insiders build; the
// same server (same locator) in both must be wrapped in the file clicked.
describe('client card', () => {
  it('proposes a change to the one config file the row belongs to', async () => {
    const file = (path: string) => ({ path, scope: 'user', format: 'json', read_only: false, servers: [clientServer('fetch')] })
    const client: ClientInfo = {
      id: 'vscode',
      name: 'Visual Studio Code',
      launches_stdio: true,
      configs: [file('/home/me/.config/Code/User/mcp.json'), file('/home/me/.config/Code - Insiders/User/mcp.json')],
    }
    const proposed: ClientTarget[] = []
    render(ClientCard, { client, busy: false, onpropose: (_kind: string, t: ClientTarget) => proposed.push(t) })
    const insiders = screen.getByRole('region', { name: 'config /home/me/.config/Code - Insiders/User/mcp.json' })
    await fireEvent.click(within(insiders).getByRole('button', { name: 'wrap fetch' }))
    expect(proposed).toEqual([{ client: 'vscode', path: '/home/me/.config/Code - Insiders/User/mcp.json', servers: ['/mcpServers/fetch'] }])
  })
})
