import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const devServer = process.env.CASELINE_DEV_API ?? 'http://localhost:3000';

// The console is static files the server serves from dist/web; `vite` (dev) proxies the
// API to a server started with `npm run dev`.
export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: `${repoRoot}dist/web`,
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: {
      '/api': { target: devServer, changeOrigin: false },
      '/webhooks': { target: devServer },
      '/healthz': { target: devServer },
    },
  },
});
