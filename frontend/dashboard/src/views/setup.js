// The empty state that teaches: what to paste into a site and how to send a test exception.

import { h } from "../dom.js";
import { buildRoute } from "../state.js";
import { testExceptionCurl, trackerSnippet } from "../snippets.js";
import { copyable } from "../ui.js";

/** The base URL the snippets point at: this Faultline, as the browser reaches it. */
export function baseUrl() {
  return location.origin;
}

/** A web source of the project to send the test from, or a placeholder host. */
async function siteOf(ctx, project) {
  const sources = await ctx.api.get("/sources", { project: project.id, limit: 100 });
  const web = sources.items.find((source) => /^https?:\/\//.test(source.key));
  return web ? web.key : null;
}

export async function projectEmptyState(ctx, project) {
  const site = await siteOf(ctx, project).catch(() => null);
  return h(
    "section",
    { class: "card empty" },
    h("h2", { text: "No data in this range yet" }),
    h("p", null, "Add this tag to every page of the site, before ", h("code", { text: "</head>" }), ". It counts page views without cookies and reports unhandled errors."),
    copyable(trackerSnippet(baseUrl())),
    h("p", { text: "Or send a test exception from a terminal; it shows up under Exceptions within seconds:" }),
    copyable(testExceptionCurl(baseUrl(), site || "https://your-site.example")),
    site
      ? null
      : h("p", { class: "muted", text: "This project has no web source yet: a report from a new host creates a project named after it, whose source can then be moved here under Manage." }),
    h(
      "p",
      { class: "muted" },
      "Sentry SDKs (Python, Node.js, browser) use the DSN ",
      h("code", { text: project.dsn }),
      ": ",
      h("a", { href: buildRoute(["projects", String(project.id), "settings"]), text: "setup code for each SDK" }),
      ".",
    ),
  );
}
