import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Pure modules run in Node; test files that build DOM ask for jsdom themselves.
    environment: "node",
    include: ["test/**/*.test.js"],
  },
});
