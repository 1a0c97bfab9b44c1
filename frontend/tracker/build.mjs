// Bundle src/ into the one minified file that GET /tracker.js serves, and report its size.
//
//   node build.mjs           write ../../app/static/tracker.js
//   node build.mjs --check   fail when the committed file differs from a fresh build, or when
//                            the build is over the size budget (the test command runs this)

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { build } from "esbuild";

const ENTRY = fileURLToPath(new URL("src/index.js", import.meta.url));
const OUT = fileURLToPath(new URL("../../app/static/tracker.js", import.meta.url));
// Bytes of zlib's gzip at level 9, for everything: page views, events and error capture.
const BUDGET_GZIP = 1650;

const check = process.argv.includes("--check");
const result = await build({
  entryPoints: [ENTRY],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  legalComments: "none",
  // Whatever the bundle does at start-up, it must not throw into the host page.
  banner: { js: "try{" },
  footer: { js: "}catch{}" },
  charset: "utf8",
  write: false,
});
// esbuild puts the banner and footer on lines of their own: three newlines the file can do
// without (2 B of gzip, which the budget needs).
const code = Buffer.from(
  result.outputFiles[0].text.replace(/^try\{\n/, "try{").replace(/\n\}catch\{\}\n$/, "}catch{}"),
);
const gzip = gzipSync(code, { level: 9 }).length;
const brotli = brotliCompressSync(code, {
  params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY },
}).length;
console.log(`tracker.js: ${code.length} B raw, ${gzip} B gzip, ${brotli} B brotli`);

let failed = false;
if (gzip > BUDGET_GZIP) {
  console.error(`tracker.js: over budget: ${gzip} B gzip > ${BUDGET_GZIP} B`);
  failed = true;
}
if (check) {
  let committed = null;
  try {
    committed = readFileSync(OUT);
  } catch {
    // A missing file is as stale as a different one.
  }
  if (!committed || !committed.equals(code)) {
    console.error("app/static/tracker.js is stale: run `node build.mjs` in frontend/tracker");
    failed = true;
  }
} else {
  writeFileSync(OUT, code);
}
process.exit(failed ? 1 : 0);
