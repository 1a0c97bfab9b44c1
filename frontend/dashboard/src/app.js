// The dashboard's entry: header, hash router and the context every view gets.

import { createApi } from "./api.js";
import { h, replace } from "./dom.js";
import { buildRoute, parseRoute } from "./state.js";
import { errorBox, loading } from "./ui.js";
import { analytics } from "./views/analytics.js";
import { auditLog } from "./views/audit.js";
import { groupPage } from "./views/group.js";
import { inbox } from "./views/inbox.js";
import { manage } from "./views/manage.js";
import { overview } from "./views/overview.js";
import { projectSettings } from "./views/project.js";

// [label, is it the current page, route, shown only to administrators]
const NAV = [
  ["Overview", (path) => path.length === 0 || path[0] === "projects", []],
  ["Exceptions", (path) => path[0] === "issues", ["issues"]],
  ["Manage", (path) => path[0] === "manage", ["manage"]],
  ["Audit log", (path) => path[0] === "audit", ["audit"], true],
];

const api = createApi({
  // The session ended (expired, signed out in another tab): sign in again.
  onUnauthorized: () => location.assign("/login"),
});
const view = document.getElementById("view");
const messages = document.getElementById("messages");
const nav = document.getElementById("nav");
let rendering = 0;
// Until /me answers, the header offers what every role may open.
let isAdmin = false;

const ctx = {
  api,
  route: parseRoute(location.hash),
  now: () => new Date(),
  /** Same view, other parameters. */
  go: (params) => location.assign(buildRoute(ctx.route.path, params)),
  navigate: (path, params) => location.assign(buildRoute(path, params)),
  refresh: () => render(),
  showError: (error) => replace(messages, errorBox(error)),
  /** Charts are drawn at the width they get (in CSS pixels), so their text keeps its size. */
  chartWidth: () => Math.max(300, Math.min(1160, view.clientWidth - 60)),
};

function pick(path) {
  if (path.length === 0) return () => overview(ctx);
  if (path[0] === "projects" && /^\d+$/.test(path[1] || "") && path[2] === "settings" && path.length === 3) {
    return () => projectSettings(ctx, Number(path[1]));
  }
  if (path[0] === "projects" && /^\d+$/.test(path[1] || "") && path.length === 2) return () => analytics(ctx, Number(path[1]));
  if (path[0] === "issues" && path.length === 1) return () => inbox(ctx);
  if (path[0] === "issues" && /^\d+$/.test(path[1] || "")) return () => groupPage(ctx, Number(path[1]));
  if (path[0] === "manage") return () => manage(ctx);
  if (path[0] === "audit" && path.length === 1) return () => auditLog(ctx);
  return null;
}

function renderNav(path) {
  replace(
    nav,
    NAV.filter(([, , , adminOnly]) => isAdmin || !adminOnly).map(([label, active, target]) =>
      h("a", { href: buildRoute(target), class: active(path) ? "active" : null, "aria-current": active(path) ? "page" : null, text: label }),
    ),
  );
}

async function render() {
  const ticket = ++rendering;
  ctx.route = parseRoute(location.hash);
  const { path } = ctx.route;
  renderNav(path);
  replace(messages);
  const build = pick(path);
  if (!build) {
    replace(view, h("h1", { text: "Not found" }), h("p", null, h("a", { href: "#/", text: "Back to the overview" })));
    return;
  }
  // Keep the old view while the new one loads (no flash); say that it is loading.
  view.setAttribute("aria-busy", "true");
  const slow = setTimeout(() => ticket === rendering && replace(messages, loading()), 300);
  let node;
  try {
    node = await build();
  } catch (error) {
    node = errorBox(error);
  }
  clearTimeout(slow);
  // A later navigation won: drop this result.
  if (ticket !== rendering) return;
  replace(messages);
  replace(view, node);
  view.removeAttribute("aria-busy");
  document.title = `${view.querySelector("h1")?.textContent || "Dashboard"} · Faultline`;
}

async function showUser() {
  const who = document.getElementById("who");
  try {
    const me = await api.get("/me");
    who.textContent = me.kind === "user" ? me.email : `token ${me.name}`;
    isAdmin = me.is_admin;
    renderNav(parseRoute(location.hash).path);
  } catch {
    // The views show the error; the header just stays without a name.
  }
}

let lastPath = location.hash.split("?")[0];
window.addEventListener("hashchange", () => {
  const path = location.hash.split("?")[0];
  // A new page starts at the top; a changed filter or tab on the same page keeps the scroll.
  if (path !== lastPath) window.scrollTo(0, 0);
  lastPath = path;
  render();
});
showUser();
render();
