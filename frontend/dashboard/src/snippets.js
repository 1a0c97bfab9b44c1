// What a new project needs pasted somewhere: the tracker tag and a test exception.

/** The tracker tag for a Faultline at `base` (its origin). */
export function trackerSnippet(base) {
  return `<script async src="${base}/tracker.js"></script>`;
}

/** A caught error reported as handled, with metadata; `?.` keeps it quiet where an ad blocker
 * stopped the tracker. */
export const CAPTURE_SNIPPET = [
  "try {",
  "  checkout();",
  "} catch (error) {",
  '  window.analytics?.captureException(error, { step: "checkout" });',
  "}",
].join("\n");

/**
 * A curl command that reports a test exception from `site` (a source key such as
 * https://example.com); shell-quoted so it pastes as is.
 */
export function testExceptionCurl(base, site) {
  const body = JSON.stringify({
    u: `${site}/`,
    ty: "Error",
    m: "Faultline test exception",
    s: `Error: Faultline test exception\n    at test (${site}/app.js:1:1)`,
  });
  const ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
  return [
    `curl -X POST ${shellQuote(`${base}/track/exception`)}`,
    "-H 'Content-Type: text/plain'",
    `-H ${shellQuote(`User-Agent: ${ua}`)}`,
    `-d ${shellQuote(body)}`,
  ].join(" \\\n  ");
}

/** POSIX single quotes: safe for any text, including a quote in a host name. */
export function shellQuote(text) {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

// The Sentry SDKs a project's DSN serves: what to install and what to paste, per platform.
// Faultline stores errors and messages; tracing, sessions and replays are accepted and dropped
// (counted under "Dropped"), so the snippets leave them off.
export const SDKS = [
  { id: "python", label: "Python", install: "pip install --upgrade sentry-sdk" },
  { id: "node", label: "Node.js", install: "npm install @sentry/node" },
  { id: "browser", label: "Browser", install: "npm install @sentry/browser" },
];

/**
 * The setup code of one SDK for a DSN. `release` and `environment` are placeholders the
 * user edits; strings are JSON-quoted, valid in Python and JavaScript alike.
 */
export function sdkSnippet(sdk, dsn, { release = "my-app@1.0.0", environment = "production" } = {}) {
  const [d, r, e] = [dsn, release, environment].map((text) => JSON.stringify(text));
  if (sdk === "python") {
    return [
      "import sentry_sdk",
      "",
      "sentry_sdk.init(",
      `    dsn=${d},`,
      `    release=${r},`,
      `    environment=${e},`,
      ")",
    ].join("\n");
  }
  const init = ["Sentry.init({", `  dsn: ${d},`, `  release: ${r},`, `  environment: ${e},`, "});"];
  if (sdk === "node") {
    return [
      "// instrument.js: require it before any other module of the app",
      'const Sentry = require("@sentry/node");',
      "",
      ...init,
    ].join("\n");
  }
  if (sdk === "browser") {
    return ['import * as Sentry from "@sentry/browser";', "", ...init].join("\n");
  }
  throw new Error(`unknown SDK ${sdk}`);
}

/** A shell word: as is when it is plain, else single-quoted. */
function shellWord(text) {
  return /^[\w.@%+=:,/-]+$/.test(text) ? text : shellQuote(text);
}

/**
 * How to upload a build's source maps to a project: with Faultline's CLI, or with sentry-cli
 * pointed at this Faultline (debug IDs injected first, so no release is needed to match).
 */
export function sourcemapUploads(base, project, { release = "1.4.0", dir = "dist/" } = {}) {
  const [name, r, d] = [project, release, dir].map(shellWord);
  return {
    faultline: `faultline sourcemaps upload --project ${name} --release ${r} ${d}`,
    sentryCli: [
      `sentry-cli sourcemaps inject ${d}`,
      `SENTRY_AUTH_TOKEN=$FAULTLINE_TOKEN sentry-cli --url ${shellWord(base)} \\\n  sourcemaps upload --org faultline --project ${name} --release ${r} ${d}`,
    ].join("\n"),
  };
}
