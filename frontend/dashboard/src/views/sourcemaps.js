// A project's source maps: the uploaded bundles (release, origin, debug IDs, files, sizes,
// when they were uploaded and last used to map a frame), deleting one, and how to upload.

import { h } from "../dom.js";
import { formatBytes, formatDateTime, timeAgo } from "../format.js";
import { sourcemapUploads } from "../snippets.js";
import { copyable, errorBox } from "../ui.js";
import { act } from "./common.js";
import { baseUrl } from "./setup.js";

const ORIGINS = { cli: "faultline CLI", api: "API", "sentry-cli": "sentry-cli" };
const KINDS = { source_map: "source map", minified_source: "minified script" };

/** The project's bundles, `GET /projects/<id>/sourcemaps`, or the error that request met. */
export function loadBundles(ctx, projectId) {
  return ctx.api.get(`/projects/${projectId}/sourcemaps`).catch((error) => error);
}

/** The "Source maps" card: the bundles as the API lists them, or how to upload the first. */
export function sourcemapsCard(ctx, project, answer) {
  const title = h("h2", { text: "Source maps" });
  if (answer instanceof Error) return h("section", { class: "card sourcemaps" }, title, errorBox(answer));
  const bundles = answer.bundles;
  const now = ctx.now();
  if (!bundles.length) {
    return h(
      "section",
      { class: "card sourcemaps empty" },
      title,
      h("p", { text: "No source maps uploaded yet. Upload the maps of each build you deploy, and the minified frames of its errors show the original function, file, line and code." }),
      howToUpload(project),
    );
  }
  const files = bundles.reduce((sum, bundle) => sum + bundle.files.length, 0);
  return h(
    "section",
    { class: "card sourcemaps" },
    title,
    h("p", {
      class: "muted",
      text: `${bundles.length} bundle${bundles.length === 1 ? "" : "s"}, ${files} file${files === 1 ? "" : "s"}. A frame's script is matched to its map by debug ID, then by release and URL, then by file name.`,
    }),
    h("ul", { class: "bundles" }, bundles.map((bundle) => bundleItem(ctx, project, bundle, now))),
    h("details", { class: "upload-help" }, h("summary", { text: "How to upload" }), howToUpload(project)),
  );
}

function bundleItem(ctx, project, bundle, now) {
  const release = bundle.release ? `Release ${bundle.release}` : "No release";
  const remove = () => {
    const what = bundle.release ? `the source maps of release ${bundle.release}` : `source map bundle ${bundle.id}`;
    const count = `${bundle.files.length} file${bundle.files.length === 1 ? "" : "s"}`;
    if (!confirm(`Delete ${what} (${count})? Events that arrive afterwards stay minified where only these maps explained them.`)) return;
    act(ctx, () => ctx.api.delete(`/projects/${project.id}/sourcemaps/${bundle.id}`), "Source maps deleted");
  };
  return h(
    "li",
    { class: "bundle", "data-bundle": bundle.id },
    h(
      "div",
      { class: "bundle-head" },
      h("h3", { text: release }),
      h("span", { class: "pill", title: "How it was uploaded", text: ORIGINS[bundle.origin] || bundle.origin }),
      h("span", { class: "muted bundle-id", text: `bundle ${bundle.id}` }),
      h("button", { type: "button", class: "danger small", "aria-label": `Delete ${release.toLowerCase()} (bundle ${bundle.id})`, text: "Delete", onclick: remove }),
    ),
    h(
      "dl",
      { class: "kv bundle-facts" },
      h("dt", { text: "Size" }),
      h("dd", { text: formatBytes(bundle.size) }),
      h("dt", { text: "Uploaded" }),
      h("dd", { title: formatDateTime(bundle.created_at), text: timeAgo(bundle.created_at, now) }),
      h("dt", { text: "Last used" }),
      h("dd", { title: bundle.last_used_at ? formatDateTime(bundle.last_used_at) : null, text: lastUsed(bundle.last_used_at, now) }),
      h("dt", { text: "Debug IDs" }),
      h("dd", null, bundle.debug_ids.length ? h("ul", { class: "debug-ids" }, bundle.debug_ids.map((id) => h("li", null, h("code", { text: id })))) : h("span", { class: "muted", text: "none: matched by release and URL or file name" })),
    ),
    h(
      "div",
      { class: "scroll" },
      h(
        "table",
        { class: "bundle-files" },
        h("thead", null, h("tr", null, h("th", { scope: "col", text: "File" }), h("th", { scope: "col", text: "Kind" }), h("th", { scope: "col", class: "num", text: "Size" }), h("th", { scope: "col", class: "used", text: "Last used" }))),
        // Which file has which debug ID says something only when the bundle has several.
        h("tbody", null, bundle.files.map((file) => fileRow(file, now, bundle.debug_ids.length > 1))),
      ),
    ),
  );
}

function fileRow(file, now, withDebugId) {
  return h(
    "tr",
    null,
    h(
      "td",
      { class: "file-cell" },
      h("code", { class: "file-name", text: file.name }),
      file.url && file.url !== file.name ? h("div", { class: "muted file-url", text: file.url }) : null,
      withDebugId && file.debug_id ? h("div", { class: "muted file-debug-id", text: `debug ID ${file.debug_id}` }) : null,
    ),
    h("td", { text: KINDS[file.kind] || file.kind }),
    h("td", { class: "num", text: formatBytes(file.size) }),
    h("td", { class: "used", title: file.last_used_at ? formatDateTime(file.last_used_at) : null, text: lastUsed(file.last_used_at, now) }),
  );
}

function lastUsed(iso, now) {
  return iso ? timeAgo(iso, now) : "never";
}

function howToUpload(project) {
  const uploads = sourcemapUploads(baseUrl(), project.name);
  return h(
    "div",
    { class: "how-to-upload" },
    h("p", { class: "step", text: "After each build, upload the build's .js and .js.map files with the faultline command; set --release to the release your events carry:" }),
    copyable(uploads.faultline),
    h("p", { class: "step" }, "Or with sentry-cli (or a Sentry bundler plugin) pointed at this Faultline with ", h("code", { text: "--url" }), ", an API token as its auth token. Debug IDs injected into the scripts match them without a release:"),
    copyable(uploads.sentryCli),
    h("p", { class: "muted small-print" }, "Or post them with an API token to ", h("code", { text: `/api/v1/projects/${project.id}/sourcemaps` }), " (multipart: release, url_prefix, and each file as file)."),
  );
}
