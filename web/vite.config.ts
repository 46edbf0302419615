/**
 * Builds the Solid web app in web/ into web/dist, which api/node.ts serves beside the API.
 * `npm run dev:web` proxies /api to a running `npm run dev` (PORT 8787 unless API_PORT says).
 */
import { defineConfig } from "vite";
import solid from "vite-plugin-solid";
import { staticHeadersFile } from "../api/http/middleware/security-headers.ts";

const apiPort = process.env.API_PORT ?? "8787";

export default defineConfig({
  root: "web",
  plugins: [
    solid(),
    // Cloudflare serves web/dist itself (not through the worker): its `_headers` file gives the
    // pages the same security headers (CSP, no framing) as the Node server sends.
    { name: "security-headers", async generateBundle() { this.emitFile({ type: "asset", fileName: "_headers", source: await staticHeadersFile() }); } },
  ],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The manifest lets scripts/web-size.ts measure exactly what the resident's first screen loads.
    manifest: true,
    target: "es2020",
  },
  server: { proxy: { "/api": `http://localhost:${apiPort}` } },
});
