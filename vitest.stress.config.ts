import { defineConfig } from "vitest/config";

/** The long trust tests (`npm run test:stress`): load, retries, races and crashes over HTTP. */
export default defineConfig({
  test: {
    include: ["tests/stress/**/*.stress.ts"],
    testTimeout: 900_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: false,
  },
});
