// Bundle src/ into the two files the dashboard page loads, app/static/dashboard/app.js and
// app.css, and report their sizes.
//
//   node build.mjs           write ../../app/static/dashboard/
//   node build.mjs --check   fail when the committed files differ from a fresh build (the test
//                            command runs this)

import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const OUT = fileURLToPath(new URL("../../app/static/dashboard/", import.meta.url));
const ENTRIES = [
  ["src/app.js", "app.js"],
  ["src/app.css", "app.css"],
];

const check = process.argv.includes("--check");
let failed = false;
for (const [entry, name] of ENTRIES) {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    minify: true,
    // An ES module: the page loads it with type=module, so it runs deferred and strict.
    format: "esm",
    target: ["es2022", "chrome109", "firefox115", "safari16"],
    legalComments: "none",
    charset: "utf8",
    write: false,
  });
  const code = Buffer.from(result.outputFiles[0].contents);
  console.log(`dashboard/${name}: ${code.length} B raw, ${gzipSync(code, { level: 9 }).length} B gzip`);
  const path = OUT + name;
  if (check) {
    let committed = null;
    try {
      committed = readFileSync(path);
    } catch {
      // A missing file is as stale as a different one.
    }
    if (!committed || !committed.equals(code)) {
      console.error(`app/static/dashboard/${name} is stale: run \`node build.mjs\` in frontend/dashboard`);
      failed = true;
    }
  } else {
    mkdirSync(OUT, { recursive: true });
    writeFileSync(path, code);
  }
}
process.exit(failed ? 1 : 0);
