import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev` proxies /ai-sdk and /v1 to the orchestrator (`make run` serves on 127.0.0.1:8000,
// or set ORCHESTRATOR_URL), so the page needs no CORS setting on the server.
const target = process.env.ORCHESTRATOR_URL ?? 'http://127.0.0.1:8000';

export default defineConfig({
  plugins: [react()],
  build: { chunkSizeWarningLimit: 2000 },
  server: { proxy: { '/ai-sdk': { target, changeOrigin: true }, '/v1': { target, changeOrigin: true } } },
  preview: { proxy: { '/ai-sdk': { target, changeOrigin: true }, '/v1': { target, changeOrigin: true } } },
});
