import { defineConfig } from "drizzle-kit";

// `dialect: "turso"` serves both the embedded file and remote libSQL (see ../shared/STACK.md).
export default defineConfig({
  schema: "./db/schema.ts",
  out: "./db/migrations",
  dialect: "turso",
  dbCredentials: { url: process.env.DATABASE_URL ?? "file:data/shuangfu.db" },
});
