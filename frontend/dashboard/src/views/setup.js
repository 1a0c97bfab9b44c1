// The empty states that teach: an empty page says what to paste into a site or an app, and how
// to send a test exception, so a newcomer never has to look elsewhere for the next step.

import { h } from "../dom.js";
import { buildRoute } from "../state.js";
import { CAPTURE_SNIPPET, testExceptionCurl, trackerSnippet } from "../snippets.js";
import { copyable } from "../ui.js";

// Where the curl snippets send from when a project has no web source to borrow a host from.
const PLACEHOLDER_SITE = "https://your-site.example";

/** The base URL the snippets point at: this Faultline, as the browser reaches it. */
export function baseUrl() {
  return location.origin;
}

function manageLink(text = "Manage") {
  return h("a", { href: buildRoute(["manage"]), text });
}

/** The tracker tag with its copy button, and where sites are sorted into projects. */
function trackerTag() {
  return [
    h("p", null, "Add this tag to every page of the site, before ", h("code", { text: "</head>" }), ". It counts page views without cookies and reports unhandled errors."),
    copyable(trackerSnippet(baseUrl())),
    h("p", { class: "muted" }, "Each new host becomes a project named after it; rename projects or move a site to another under ", manageLink(), "."),
  ];
}

/** The overview before any report: how to make the first project. */
export function noProjects() {
  return h(
    "section",
    { class: "card empty" },
    h("h2", { text: "No projects yet" }),
    h("p", { text: "The first page view or exception from a site creates its project." }),
    trackerTag(),
    h("a", { class: "button", href: buildRoute(["manage"]), text: "Manage projects" }),
  );
}

/** Inside a project's card or page when the range has exceptions but no page views. */
export function noPageViews() {
  return h("div", { class: "setup" }, h("h3", { text: "No page views in this range" }), trackerTag());
}

/** A web source of the project to send the test from, or null. */
async function siteOf(ctx, project) {
  const sources = await ctx.api.get("/sources", { project: project.id, limit: 100 });
  const web = sources.items.find((source) => /^https?:\/\//.test(source.key));
  return web ? web.key : null;
}

/** A project's analytics page with nothing at all in the range. */
export async function projectEmptyState(ctx, project) {
  const site = await siteOf(ctx, project).catch(() => null);
  return h(
    "section",
    { class: "card empty" },
    h("h2", { text: "No data in this range yet" }),
    trackerTag(),
    h("p", { text: "Or send a test exception from a terminal; it shows up under Exceptions within seconds:" }),
    copyable(testExceptionCurl(baseUrl(), site || PLACEHOLDER_SITE)),
    h("p", { class: "muted" }, "Sentry SDKs (Python, Node.js, browser) use the DSN ", h("code", { text: project.dsn }), ": ", sdkLink(project, "setup code for each SDK"), "."),
  );
}

function sdkLink(project, text) {
  return h("a", { href: buildRoute(["projects", String(project.id), "settings"]), text });
}

/** The inbox with no groups at all: the tracker's error capture and the projects' DSNs. */
export function noExceptions(projects) {
  return h(
    "section",
    { class: "card empty setup-exceptions" },
    h("h2", { text: "No exceptions yet" }),
    h("p", null, "Web pages with the tracker report unhandled errors and promise rejections by themselves. Add it before ", h("code", { text: "</head>" }), ":"),
    copyable(trackerSnippet(baseUrl())),
    h("p", { text: "Report an error your code caught, with metadata:" }),
    copyable(CAPTURE_SNIPPET),
    h("h3", { text: "Sentry SDKs" }),
    projects.length
      ? [
          h("p", { text: "Servers and apps report through a Sentry SDK (Python, Node.js, browser) initialised with their project's DSN:" }),
          h(
            "ul",
            { class: "dsns" },
            projects.map((project) =>
              h("li", null, h("div", { class: "dsn-name" }, h("strong", { text: project.name }), " · ", sdkLink(project, "setup code")), copyable(project.dsn, "Copy DSN")),
            ),
          ),
        ]
      : h(
          "p",
          null,
          "Servers and apps report through a Sentry SDK (Python, Node.js, browser) initialised with a project's DSN. Create a project under ",
          manageLink(),
          " (or with ",
          h("code", { text: "faultline project create --name NAME" }),
          ") and its DSN and setup code appear here.",
        ),
    h("p", { text: "Or send a test exception from a terminal; it shows up here within seconds:" }),
    copyable(testExceptionCurl(baseUrl(), PLACEHOLDER_SITE)),
  );
}
