// Vite builds the app into dist/ (index.html + content-hashed files under dist/assets), which the gateway serves.
// JSX goes through Vite's own esbuild transform with Preact's automatic runtime: no Babel, no plugin.
import { defineConfig } from 'vite';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0, // every asset a file under /assets: nothing inline for the CSP to allow
    modulePreload: { polyfill: false }, // evergreen browsers only; keeps the entry free of injected code
  },
  server: {
    // `npm run dev`: the API from a gateway on :7860 (make up)
    proxy: { '/v1': 'http://127.0.0.1:7860', '/sdapi': 'http://127.0.0.1:7860' },
  },
});
