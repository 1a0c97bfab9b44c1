// Who gets in: local accounts and their roles (administrators), and API tokens (everyone their
// own, administrators everyone's). The API enforces all of it; this only leaves out what
// would be refused.

import { h, replace } from "../dom.js";
import { formatDateTime } from "../format.js";
import { copyable, toast } from "../ui.js";
import { act, allPages, allProjects } from "./common.js";

const ROLES = [
  ["admin", "Administrator"],
  ["member", "Member"],
  ["viewer", "Viewer"],
];
const SCOPES = [
  ["read", "Read"],
  ["triage", "Triage"],
  ["admin", "Admin"],
];
const EXPIRY_DAYS = [
  ["", "Never expires"],
  ["7", "7 days"],
  ["30", "30 days"],
  ["90", "90 days"],
  ["365", "1 year"],
];

/** The cards `me` (from /me) may use: users for administrators, tokens for every session
 * and for a token holding admin; a note for any other token. */
export async function accessCards(ctx, me) {
  if (me.kind === "token" && !me.is_admin) {
    return h(
      "section",
      { class: "card" },
      h("h2", { text: "Users and API tokens" }),
      h("p", { class: "muted", text: "Only a token with the admin scope manages tokens." }),
    );
  }
  const [users, tokens, projects] = await Promise.all([
    me.is_admin ? allPages(ctx.api, "/users") : null,
    allPages(ctx.api, "/tokens"),
    allProjects(ctx.api),
  ]);
  return [me.is_admin ? usersCard(ctx, me, users) : null, tokensCard(ctx, me, tokens, projects)];
}

function table(headings, rows) {
  return h(
    "div",
    { class: "scroll" },
    h("table", { class: "accounts" }, h("thead", null, h("tr", null, headings.map((text) => h("th", { scope: "col", text })))), h("tbody", null, rows)),
  );
}

function roleSelect(value, label, onchange) {
  return h(
    "select",
    { "aria-label": label, onchange: onchange && ((event) => onchange(event.target.value)) },
    ROLES.map(([role, text]) => h("option", { value: role, selected: role === value, text })),
  );
}

export function usersCard(ctx, me, users) {
  const email = h("input", { type: "email", required: true, maxlength: 254, autocomplete: "off", placeholder: "Email", "aria-label": "New user's email" });
  const password = h("input", {
    type: "password",
    required: true,
    minlength: 8,
    maxlength: 1024,
    autocomplete: "new-password",
    placeholder: "Password, 8 characters or more",
    "aria-label": "New user's password",
  });
  const role = roleSelect("member", "New user's role");
  const add = h(
    "form",
    {
      class: "inline",
      onsubmit: (event) => {
        event.preventDefault();
        const body = { email: email.value.trim(), password: password.value, role: role.value };
        act(ctx, () => ctx.api.post("/users", body), "User added");
      },
    },
    email,
    password,
    role,
    h("button", { type: "submit", text: "Add user" }),
  );
  const rows = users.map((user) => {
    const self = me.kind === "user" && me.id === user.id;
    const remove = () => {
      if (!confirm(`Delete the account ${user.email}? Its sessions and tokens end at once.`)) return;
      act(ctx, () => ctx.api.delete(`/users/${user.id}`), "User deleted");
    };
    const change = (next) => {
      // Stepping down takes effect on your own next request: this page would then refuse you.
      if (self && next !== "admin" && !confirm("Give up administering? You cannot undo this yourself.")) {
        ctx.refresh();
        return;
      }
      act(ctx, () => ctx.api.patch(`/users/${user.id}`, { role: next }), "Role changed");
    };
    return h(
      "tr",
      null,
      h("td", { class: "clip", text: user.email }),
      h("td", null, roleSelect(user.role, `Role of ${user.email}`, change)),
      h("td", { text: formatDateTime(user.created_at) }),
      h("td", { text: user.last_login_at ? formatDateTime(user.last_login_at) : "never" }),
      h(
        "td",
        null,
        // Nobody deletes their own account (the API answers 409): no button to invite it.
        self
          ? h("span", { class: "muted", text: "you" })
          : h("button", { type: "button", class: "small danger", "aria-label": `Delete ${user.email}`, text: "Delete", onclick: remove }),
      ),
    );
  });
  return h(
    "section",
    { class: "card users" },
    h("h2", { text: "Users" }),
    h("p", { class: "muted", text: "Administrators manage users, tokens and projects; members triage and read; viewers only read." }),
    table(["Email", "Role", "Created", "Last sign-in", ""], rows),
    h("h3", { text: "Add a user" }),
    add,
  );
}

function projectNames(token, projects) {
  if (token.project_ids === null) return "All";
  const names = new Map(projects.map((project) => [project.id, project.name]));
  return token.project_ids.map((id) => names.get(id) ?? `#${id}`).join(", ");
}

function tokenRow(token, projects, showOwner, revoke) {
  const expiry = token.expires_at ? formatDateTime(token.expires_at) : "never";
  return h(
    "tr",
    { class: token.expired ? "muted" : null },
    h("td", { class: "clip", text: token.name }),
    h("td", null, h("code", { text: `${token.prefix}…` })),
    showOwner ? h("td", { class: "clip", text: token.owner ? token.owner.email : "operator (command line)" }) : null,
    h("td", { text: token.scopes.join(", ") }),
    h("td", { class: "clip", text: projectNames(token, projects) }),
    h("td", { text: token.expired ? `expired ${expiry}` : expiry }),
    h("td", { text: token.last_used_at ? formatDateTime(token.last_used_at) : "never" }),
    h("td", null, h("button", { type: "button", class: "small danger", "aria-label": `Revoke ${token.name}`, text: "Revoke", onclick: () => revoke(token) })),
  );
}

/** The form's scopes: only those the signed-in caller holds, all ticked. */
function scopeChecks(me) {
  return SCOPES.filter(([scope]) => me.scopes.includes(scope)).map(([scope, text]) => {
    const box = h("input", { type: "checkbox", value: scope, checked: true });
    return { scope, box, label: h("label", { class: "check-label" }, box, text) };
  });
}

export function tokensCard(ctx, me, tokens, projects) {
  const list = h("div");
  // The plaintext of a new token lives only here: the list is reloaded in place, not the
  // whole view, so it stays until dismissed.
  const reveal = h("div", { class: "token-reveal", "aria-live": "polite" });
  const name = h("input", { type: "text", required: true, maxlength: 200, placeholder: "What it is for, e.g. deploys", "aria-label": "New token name" });
  const scopes = scopeChecks(me);
  const only = h(
    "select",
    { multiple: true, "aria-label": "Projects it may touch (none chosen: all)", size: Math.min(4, Math.max(2, projects.length)) },
    projects.map((project) => h("option", { value: project.id, text: project.name })),
  );
  const expiry = h(
    "select",
    { "aria-label": "Expiry" },
    EXPIRY_DAYS.map(([value, text]) => h("option", { value, text })),
  );

  async function reload() {
    show(await allPages(ctx.api, "/tokens"));
  }

  async function revoke(token) {
    if (!confirm(`Revoke the token ${token.name}? Scripts using it stop working at once.`)) return;
    try {
      await ctx.api.delete(`/tokens/${token.id}`);
      toast("Token revoked");
      await reload();
    } catch (error) {
      ctx.showError(error);
    }
  }

  function show(items) {
    const headings = ["Name", "Token", me.is_admin ? "Owner" : null, "Scopes", "Projects", "Expires", "Last used", ""];
    const rows = items.map((token) => tokenRow(token, projects, me.is_admin, revoke));
    replace(list, rows.length ? table(headings.filter((text) => text !== null), rows) : h("p", { class: "muted", text: "No API tokens yet." }));
  }

  function body() {
    const chosen = { name: name.value.trim(), scopes: scopes.filter(({ box }) => box.checked).map(({ scope }) => scope) };
    const picked = [...only.selectedOptions].map((option) => Number(option.value));
    if (picked.length) chosen.project_ids = picked;
    if (expiry.value) chosen.expires_in_days = Number(expiry.value);
    return chosen;
  }

  async function create(event) {
    event.preventDefault();
    try {
      const created = await ctx.api.post("/tokens", body());
      name.value = "";
      replace(
        reveal,
        h("p", { class: "notice", text: `The token “${created.name}”. Copy it now: it is not shown again.` }),
        copyable(created.token),
        h("button", { type: "button", class: "small secondary", text: "Done", onclick: () => replace(reveal) }),
      );
      await reload();
    } catch (error) {
      ctx.showError(error);
    }
  }

  show(tokens);
  return h(
    "section",
    { class: "card tokens" },
    h("h2", { text: me.is_admin ? "API tokens" : "Your API tokens" }),
    h("p", {
      class: "muted",
      text: "Scripts send a token as Authorization: Bearer <token>. It never does more than its owner's role allows, and it is stored hashed: the list shows its first characters only.",
    }),
    list,
    reveal,
    h(
      "form",
      { class: "inline", onsubmit: create },
      name,
      scopes.map(({ label }) => label),
      projects.length ? only : null,
      expiry,
      h("button", { type: "submit", text: "Create token" }),
    ),
  );
}
