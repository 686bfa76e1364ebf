import { defineConfig } from 'vite';

// The API a dev server forwards to: a running `vitals serve` (VITALS_URL, default 127.0.0.1:7464).
const target = process.env.VITALS_URL ?? 'http://127.0.0.1:7464';

export default defineConfig({
  base: '/',
  build: { target: 'es2022', assetsDir: 'assets', emptyOutDir: true, reportCompressedSize: true },
  server: { proxy: { '/api': { target, changeOrigin: false } } },
  preview: { proxy: { '/api': { target } } },
});
