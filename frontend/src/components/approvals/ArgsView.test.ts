// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { fireEvent, render, screen } from '@testing-library/svelte'
import ArgsView from './ArgsView.svelte'
import { STRING_PREVIEW, STRING_STEP } from '../../lib/jsonview'

describe('arguments viewer', () => {
  it('renders a 10 MiB string cut, quickly, and shows more on request', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024)
    const t0 = performance.now()
    const { container } = render(ArgsView, { args: { path: '/srv/data/blob.bin', content: big }, size: big.length + 40 })
    const ms = performance.now() - t0
    expect(ms).toBeLessThan(1000)
    const text = container.textContent ?? ''
    expect(text.length).toBeLessThan(STRING_PREVIEW + 1000)
    expect(text).toContain('10 MiB')
    const more = screen.getByRole('button', { name: /show more \(10,485,460 characters hidden\)/ })
    await fireEvent.click(more)
    expect((container.textContent ?? '').length).toBeGreaterThan(STRING_STEP)
    expect((container.textContent ?? '').length).toBeLessThan(STRING_PREVIEW + STRING_STEP + 1000)
  })

  it('shows paths and URLs with their base name and host set apart', () => {
    const { container } = render(ArgsView, { args: { path: '/home/me/.ssh/id_ed25519', url: 'https://evil.example/upload' } })
    const strong = [...container.querySelectorAll('strong')].map((s) => s.textContent)
    expect(strong).toEqual(['id_ed25519', 'evil.example'])
  })

  it('folds and unfolds containers, and lists only the first items of a huge array', async () => {
    const { container } = render(ArgsView, { args: { items: Array.from({ length: 100_000 }, (_, i) => i) } })
    expect(container.querySelectorAll('.leaf').length).toBe(100)
    expect(screen.getByRole('button', { name: /show 100 more of 99,?900/ })).toBeTruthy()
    await fireEvent.click(screen.getByRole('button', { name: 'collapse items' }))
    expect(container.querySelectorAll('.leaf').length).toBe(0)
    expect(container.textContent).toContain('100000 items')
  })

  it('shows invisible characters as code points', () => {
    const { container } = render(ArgsView, { args: { q: 'ok\u200Bthen\u{E0049}' } })
    expect([...container.querySelectorAll('mark.invisible')].map((m) => m.textContent)).toEqual(['U+200B', 'U+E0049'])
  })
})
