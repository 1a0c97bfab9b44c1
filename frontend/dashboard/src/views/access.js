// Who gets in: local accounts and API tokens, for administrators (the API refuses others).

import { h, replace } from "../dom.js";
import { formatDateTime } from "../format.js";
import { copyable, toast } from "../ui.js";
import { act, allPages } from "./common.js";

/** The users and API tokens cards for an administrator (`me` from /me), a note for others. */
export async function accessCards(ctx, me) {
  if (!me.is_admin) {
    return h(
      "section",
      { class: "card" },
      h("h2", { text: "Users and API tokens" }),
      h("p", { class: "muted", text: "Only administrators manage users and API tokens." }),
    );
  }
  const [users, tokens] = await Promise.all([allPages(ctx.api, "/users"), allPages(ctx.api, "/tokens")]);
  return [usersCard(ctx, me, users), tokensCard(ctx, tokens)];
}

function table(headings, rows) {
  return h(
    "div",
    { class: "scroll" },
    h("table", { class: "accounts" }, h("thead", null, h("tr", null, headings.map((text) => h("th", { scope: "col", text })))), h("tbody", null, rows)),
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
  const admin = h("input", { type: "checkbox" });
  const add = h(
    "form",
    {
      class: "inline",
      onsubmit: (event) => {
        event.preventDefault();
        const body = { email: email.value.trim(), password: password.value, is_admin: admin.checked };
        act(ctx, () => ctx.api.post("/users", body), "User added");
      },
    },
    email,
    password,
    h("label", { class: "check-label" }, admin, "Administrator"),
    h("button", { type: "submit", text: "Add user" }),
  );
  const rows = users.map((user) => {
    const self = me.kind === "user" && me.id === user.id;
    const remove = () => {
      if (!confirm(`Delete the account ${user.email}? Its sessions end at once.`)) return;
      act(ctx, () => ctx.api.delete(`/users/${user.id}`), "User deleted");
    };
    return h(
      "tr",
      null,
      h("td", { class: "clip", text: user.email }),
      h("td", { text: user.is_admin ? "Administrator" : "Member" }),
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
    table(["Email", "Role", "Created", "Last sign-in", ""], rows),
    h("h3", { text: "Add a user" }),
    add,
  );
}

export function tokensCard(ctx, tokens) {
  const list = h("div");
  // The plaintext of a new token lives only here: the list is reloaded in place, not the
  // whole view, so it stays until dismissed.
  const reveal = h("div", { class: "token-reveal", "aria-live": "polite" });
  const name = h("input", { type: "text", required: true, maxlength: 200, placeholder: "What it is for, e.g. deploys", "aria-label": "New token name" });

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
    const rows = items.map((token) =>
      h(
        "tr",
        null,
        h("td", { class: "clip", text: token.name }),
        h("td", null, h("code", { text: `${token.prefix}…` })),
        h("td", { text: formatDateTime(token.created_at) }),
        h("td", null, h("button", { type: "button", class: "small danger", "aria-label": `Revoke ${token.name}`, text: "Revoke", onclick: () => revoke(token) })),
      ),
    );
    replace(list, rows.length ? table(["Name", "Token", "Created", ""], rows) : h("p", { class: "muted", text: "No API tokens yet." }));
  }

  async function create(event) {
    event.preventDefault();
    try {
      const created = await ctx.api.post("/tokens", { name: name.value.trim() });
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
    h("h2", { text: "API tokens" }),
    h("p", { class: "muted", text: "Scripts send a token as Authorization: Bearer <token>. It is stored hashed: the list shows its first characters only." }),
    list,
    reveal,
    h("form", { class: "inline", onsubmit: create }, name, h("button", { type: "submit", text: "Create token" })),
  );
}
