// Management: projects (create, rename, delete moving sources, DSN), the tracker tag,
// sources (move between projects), pixels (create, copy the URL), users and API tokens.

import { h } from "../dom.js";
import { formatDateTime } from "../format.js";
import { trackerSnippet } from "../snippets.js";
import { buildRoute } from "../state.js";
import { copyable, errorBox } from "../ui.js";
import { accessCards } from "./access.js";
import { act, allPages, allProjects } from "./common.js";
import { baseUrl } from "./setup.js";

export async function manage(ctx) {
  const [projects, sources, me] = await Promise.all([allProjects(ctx.api), allPages(ctx.api, "/sources"), ctx.api.get("/me")]);
  const access = await accessCards(ctx, me);
  const pixels = await Promise.all(projects.map((project) => ctx.api.get(`/projects/${project.id}/pixels`).then((page) => page.items, (error) => error)));
  return h(
    "div",
    { class: "manage" },
    h("div", { class: "page-head" }, h("h1", { text: "Manage" })),
    h(
      "section",
      { class: "card" },
      h("h2", { text: "Tracker" }),
      h("p", { text: "One tag on every page gives page views, time on page, custom events and unhandled errors. A new site shows up as its own project after its first report." }),
      copyable(trackerSnippet(baseUrl())),
    ),
    projectsCard(ctx, projects, pixels),
    sourcesCard(ctx, projects, sources),
    access,
  );
}

function projectsCard(ctx, projects, pixels) {
  const name = h("input", { type: "text", required: true, maxlength: 200, placeholder: "Project name", "aria-label": "New project name" });
  const create = h(
    "form",
    {
      class: "inline",
      onsubmit: (event) => {
        event.preventDefault();
        act(ctx, () => ctx.api.post("/projects", { name: name.value.trim() }), "Project created");
      },
    },
    name,
    h("button", { type: "submit", text: "Create project" }),
  );
  return h(
    "section",
    { class: "card" },
    h("h2", { text: "Projects" }),
    create,
    projects.map((project, i) => projectItem(ctx, project, projects, pixels[i])),
  );
}

function projectItem(ctx, project, projects, pixels) {
  const rename = h("input", { type: "text", value: project.name, required: true, maxlength: 200, "aria-label": `Name of ${project.name}` });
  const others = projects.filter((other) => other.id !== project.id);
  const moveTo = h(
    "select",
    { "aria-label": `Move the sources of ${project.name} to` },
    h("option", { value: "", text: "leave its sources unassigned" }),
    others.map((other) => h("option", { value: String(other.id), text: `move its sources to ${other.name}` })),
  );
  const remove = () => {
    if (!confirm(`Delete the project ${project.name}? Its pixels are deleted; its history stays in the totals.`)) return;
    act(ctx, () => ctx.api.delete(`/projects/${project.id}`, { move_sources_to: moveTo.value || undefined }), "Project deleted");
  };
  return h(
    "article",
    { class: "project-item" },
    h("h3", null, h("a", { href: buildRoute(["projects", String(project.id)]), text: project.name })),
    h(
      "form",
      {
        class: "inline",
        onsubmit: (event) => {
          event.preventDefault();
          act(ctx, () => ctx.api.patch(`/projects/${project.id}`, { name: rename.value.trim() }), "Renamed");
        },
      },
      rename,
      h("button", { type: "submit", class: "secondary", text: "Rename" }),
    ),
    h("p", { class: "muted" }, "DSN for SDKs speaking the Sentry protocol (", h("a", { href: buildRoute(["projects", String(project.id), "settings"]), text: "setup code, key rotation, source maps, dropped data" }), "):"),
    copyable(project.dsn),
    pixelsBlock(ctx, project, pixels),
    h("div", { class: "inline danger-zone" }, h("button", { type: "button", class: "danger", text: "Delete project", onclick: remove }), moveTo),
  );
}

function pixelsBlock(ctx, project, pixels) {
  const name = h("input", { type: "text", required: true, maxlength: 200, placeholder: "Pixel name, e.g. newsletter", "aria-label": `New pixel name in ${project.name}` });
  const eventName = h("input", { type: "text", maxlength: 256, placeholder: "event name (pixel)", "aria-label": "Event name" });
  return h(
    "div",
    { class: "pixels" },
    h("h3", { text: "Pixels" }),
    pixels instanceof Error
      ? errorBox(pixels)
      : pixels.map((pixel) =>
          h(
            "div",
            { class: "pixel" },
            h("p", null, h("strong", { text: pixel.name }), h("span", { class: "muted", text: ` · event ${pixel.event_name} · created ${formatDateTime(pixel.created_at)}` })),
            copyable(pixel.url, "Copy URL"),
          ),
        ),
    h(
      "form",
      {
        class: "inline",
        onsubmit: (event) => {
          event.preventDefault();
          const body = { name: name.value.trim() };
          if (eventName.value.trim()) body.event_name = eventName.value.trim();
          act(ctx, () => ctx.api.post(`/projects/${project.id}/pixels`, body), "Pixel created");
        },
      },
      name,
      eventName,
      h("button", { type: "submit", class: "secondary", text: "Create pixel" }),
    ),
  );
}

function sourcesCard(ctx, projects, sources) {
  const rows = sources.map((source) => {
    const target = h(
      "select",
      {
        "aria-label": `Project of ${source.key}`,
        disabled: source.kind === "pixel",
        onchange: (event) => {
          const value = event.target.value;
          act(ctx, () => ctx.api.patch(`/sources/${source.id}`, { project: value ? Number(value) : null }), "Source moved");
        },
      },
      h("option", { value: "", selected: source.project === null, text: "(unassigned: traffic dropped)" }),
      projects.map((project) => h("option", { value: String(project.id), selected: project.id === source.project, text: project.name })),
    );
    return h("tr", null, h("td", { class: "clip", text: source.key }), h("td", { text: source.kind }), h("td", null, target));
  });
  return h(
    "section",
    { class: "card" },
    h("h2", { text: "Sources" }),
    h("p", { class: "muted", text: "Moving a source sends its new traffic to another project; past events stay where they arrived." }),
    sources.length
      ? h("div", { class: "scroll" }, h("table", { class: "sources" }, h("thead", null, h("tr", null, ["Source", "Kind", "Project"].map((label) => h("th", { scope: "col", text: label })))), h("tbody", null, rows)))
      : h("p", { class: "muted", text: "No sources yet." }),
  );
}
