/**
 * `npm run build:console`: the privacy console as static files in console/dist, for the local server and a
 * cell to serve under `<base>/console/`. Relative asset paths (`base: './'`) work under any stage path; every
 * dependency is bundled, so the page fetches nothing from another origin.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The preload polyfill would be inline script, which the Content-Security-Policy forbids.
    modulePreload: { polyfill: false },
    // No data: URLs for fonts or scripts: every asset is a file of its own.
    assetsInlineLimit: 0,
    target: 'es2022',
  },
});
