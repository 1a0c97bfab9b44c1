// The /api/v1 client: same-origin session cookie, the session's CSRF token on every write
// (fetched once), and every failure as an ApiError whose message can be shown as is.

export class ApiError extends Error {
  constructor(status, code, message, fields) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.fields = fields || null;
  }
}

const WRITES = new Set(["POST", "PATCH", "DELETE"]);

/** The query string of a params object; undefined and null are left out, "" is kept. */
export function queryString(params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null) query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `?${text}` : "";
}

/**
 * A client. `fetch` is injectable for tests; `onUnauthorized` runs on a 401 (the session
 * ended: the app sends the browser to the sign-in page).
 */
export function createApi({ fetch = globalThis.fetch.bind(globalThis), base = "/api/v1", onUnauthorized } = {}) {
  let csrf = null;

  function csrfToken() {
    // One request for the page's lifetime; a failed one is forgotten so the next write retries.
    csrf ??= send("GET", "/csrf").then(
      (body) => body.token,
      (error) => {
        csrf = null;
        throw error;
      },
    );
    return csrf;
  }

  async function send(method, path, { params, body } = {}) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (WRITES.has(method)) {
      const token = await csrfToken();
      if (token) headers["X-CSRF-Token"] = token;
    }
    let response;
    try {
      response = await fetch(base + path + queryString(params), {
        method,
        headers,
        credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, "network", "Faultline cannot be reached. Check the connection and try again.");
    }
    if (response.status === 204) return null;
    const data = await response.json().catch(() => null);
    if (response.ok && data !== null) return data;
    if (response.status === 401 && onUnauthorized) onUnauthorized();
    throw toError(response, data);
  }

  return {
    get: (path, params) => send("GET", path, { params }),
    post: (path, body, params) => send("POST", path, { body, params }),
    patch: (path, body, params) => send("PATCH", path, { body, params }),
    delete: (path, params) => send("DELETE", path, { params }),
  };
}

function toError(response, data) {
  const error = data && typeof data.error === "object" && data.error;
  if (error && typeof error.message === "string") {
    return new ApiError(response.status, error.code || "error", withFields(error), error.fields);
  }
  const what = response.ok ? "an unreadable answer" : `status ${response.status}`;
  return new ApiError(response.status, "bad_response", `Faultline answered with ${what}. Please try again.`);
}

function withFields(error) {
  // Validation errors name the fields; the message alone would not say which input is wrong.
  if (!error.fields || typeof error.fields !== "object") return error.message;
  const details = Object.entries(error.fields).map(([field, problem]) => `${field}: ${flatten(problem)}`);
  return details.length ? `${error.message} (${details.join("; ")})` : error.message;
}

function flatten(problem) {
  if (Array.isArray(problem)) return problem.map(flatten).join(", ");
  if (problem && typeof problem === "object") {
    return Object.entries(problem).map(([key, value]) => `${key}: ${flatten(value)}`).join("; ");
  }
  return String(problem);
}
