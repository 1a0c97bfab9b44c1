// A view's context for tests: an API answering from a table of routes (recording each call),
// a fixed clock, and spies for what a view may ask of the app.
import { vi } from "vitest";

export function fakeCtx(routes, params = {}, path = []) {
  const calls = [];
  const answer = (method) => async (url, second) => {
    calls.push({ method, url, args: second });
    const found = routes[`${method} ${url}`];
    if (found === undefined) throw new Error(`unexpected ${method} ${url}`);
    if (found instanceof Error) throw found;
    return typeof found === "function" ? found(second) : found;
  };
  const api = { get: answer("GET"), post: answer("POST"), patch: answer("PATCH"), delete: answer("DELETE") };
  return {
    api,
    calls,
    route: { path, params },
    now: () => new Date("2026-11-24T12:00:00Z"),
    refresh: vi.fn(),
    showError: vi.fn(),
    go: vi.fn(),
    chartWidth: () => 800,
  };
}

/** Let pending promises settle. */
export const tick = () => new Promise((resolve) => setTimeout(resolve));
