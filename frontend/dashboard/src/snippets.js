// What a new project needs pasted somewhere: the tracker tag and a test exception.

/** The tracker tag for a Faultline at `base` (its origin). */
export function trackerSnippet(base) {
  return `<script async src="${base}/tracker.js"></script>`;
}

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
