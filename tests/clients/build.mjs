// Bundle the browser scenario page (browser/src/main.js -> browser/dist/bundle.js) with
// esbuild: not minified, so the stacks the SDK sends name the page's real functions.
import * as esbuild from "esbuild";

await esbuild.build({
  entryPoints: ["browser/src/main.js"],
  outfile: "browser/dist/bundle.js",
  bundle: true,
  format: "iife",
  target: "es2020",
  keepNames: true,
  logLevel: "warning",
});
