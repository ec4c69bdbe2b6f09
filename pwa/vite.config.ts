import { defineConfig } from "vite"
import { VitePWA } from "vite-plugin-pwa"

// The Automerge wasm (3.6 MB) is loaded as a separate, hashed asset through the "slim" entry
// points (src/sync/wasm.ts), so the JS app shell stays small and can paint the login screen or the
// sync bar before the wasm is compiled. No wasm/top-level-await plugins are needed.
export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    target: "es2022",
    // The wasm must stay a file (never inlined as base64 into the JS).
    assetsInlineLimit: (file) => (file.endsWith(".wasm") ? false : undefined),
    rollupOptions: {
      output: {
        // Automerge, automerge-repo and their dependencies change rarely: keep them in their own
        // chunk so an app update re-downloads only the small app chunk (our code + Preact).
        manualChunks: (id) =>
          // (uqr, the QR code generator, stays with the team screens that use it, loaded on first use.)
          id.includes("node_modules/") && !/node_modules\/(preact|@preact|workbox-window|uqr)\//.test(id) ? "automerge" : undefined,
      },
    },
  },
  server: {
    // `npm run dev` against a local `khaosat serve --demo` (KHAOSAT_API to point elsewhere).
    proxy: { "/api": { target: process.env.KHAOSAT_API ?? "http://127.0.0.1:8080", ws: true } },
  },
  plugins: [
    VitePWA({
      // Never reload by itself: the app asks, after saving what is pending (components/UpdatePrompt).
      registerType: "prompt",
      // Registered from our own code (src/sw.ts): the server's CSP forbids inline scripts.
      injectRegister: false,
      includeAssets: ["icon.svg", "icon-192.png", "icon-512.png", "icon-maskable-512.png"],
      manifest: {
        name: "Khảo sát 3 KHÔNG",
        short_name: "Khảo sát",
        description: "Khảo sát hộ gia đình, mô hình 3 KHÔNG",
        lang: "vi",
        start_url: "/",
        scope: "/",
        display: "standalone",
        orientation: "portrait",
        background_color: "#ffffff",
        theme_color: "#b91c1c",
        icons: [
          { src: "/icon.svg", sizes: "any", type: "image/svg+xml", purpose: "any" },
          { src: "/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "/icon-maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      workbox: {
        // The app shell and the Automerge wasm: everything needed to open and work offline.
        globPatterns: ["**/*.{js,css,html,wasm,svg,png,webmanifest}"],
        // Workbox skips files over 2 MiB by default, which would silently drop the wasm.
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
        navigateFallback: "/index.html",
        // API calls and the sync socket always go to the network.
        navigateFallbackDenylist: [/^\/api\//, /^\/healthz/, /^\/readyz/],
        cleanupOutdatedCaches: true,
      },
    }),
  ],
})
