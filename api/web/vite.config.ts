import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webDir = fileURLToPath(new URL('.', import.meta.url));

/**
 * The review workspace's build: served by the API at /app/ (api/routes/web-app.ts),
 * built by api/web/build.ts (npm install, npm start, npm run build:web).
 */
export default defineConfig({
  root: webDir,
  base: '/app/',
  plugins: [react()],
  // No network, no file watching: the build runs offline at install or first start.
  logLevel: 'warn',
  clearScreen: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Chromium has module preload; the polyfill would be one more script to allow.
    modulePreload: { polyfill: false },
    // antd and echarts are large by nature; the app is served from the same machine.
    chunkSizeWarningLimit: 4096,
    sourcemap: false,
  },
});
