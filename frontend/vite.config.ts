import { defineConfig } from 'vitest/config'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { svelteTesting } from '@testing-library/svelte/vite'

export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  build: {
    // The app is served from the binary by Wails' asset server, never from a CDN.
    outDir: 'dist',
    emptyOutDir: true,
  },
  test: {
    include: ['src/**/*.test.ts'],
    // Component tests say `// @vitest-environment jsdom` at their top.
    environment: 'node',
  },
})
