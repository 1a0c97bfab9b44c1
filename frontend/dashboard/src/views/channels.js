// A project's alert channels on its Alerts page: email lists and webhooks (JSON, Slack,
// Discord), a "Send test" per channel that shows what the receiver answered, and, for
// administrators, adding and deleting them. A new webhook's signing secret is shown once.

import { h, replace } from "../dom.js";
import { copyable, toast } from "../ui.js";
import { act } from "./common.js";

const FORMATS = { json: "JSON", slack: "Slack", discord: "Discord" };

function kindText(channel) {
  return channel.kind === "email" ? "Email" : `Webhook · ${FORMATS[channel.format] || channel.format}`;
}

function targetText(channel) {
  return Array.isArray(channel.target) ? channel.target.join(", ") : channel.target;
}

/** Send a test through a channel and show the outcome next to its button. */
async function sendTest(ctx, channel, button, outcome) {
  button.disabled = true;
  button.textContent = "Sending…";
  try {
    const result = await ctx.api.post(`/alert-channels/${channel.id}/test`);
    replace(
      outcome,
      h("span", {
        class: result.ok ? "notice ok" : "notice error",
        text: result.ok ? `Delivered: ${result.detail}` : `Not delivered: ${result.detail}`,
      }),
    );
  } catch (error) {
    replace(outcome, h("span", { class: "notice error", text: error.message }));
  } finally {
    button.disabled = false;
    button.textContent = "Send test";
  }
}

// Laid out like the source map list on the SDK setup page (its bundle-head and bundle-facts).
function channelItem(ctx, channel, canManage) {
  const outcome = h("div", { class: "test-outcome", role: "status" });
  const test = h("button", { type: "button", class: "small secondary", "aria-label": `Send a test to ${channel.name}`, text: "Send test" });
  test.addEventListener("click", () => sendTest(ctx, channel, test, outcome));
  const remove = () => {
    if (!confirm(`Delete the channel “${channel.name}”? Its rules stop sending to it, and its deliveries leave the list.`)) return;
    act(ctx, () => ctx.api.delete(`/alert-channels/${channel.id}`), "Channel deleted");
  };
  return h(
    "article",
    { class: "project-item alert-channel", "data-channel": channel.id },
    h("div", { class: "bundle-head" }, h("h3", { text: channel.name }), h("span", { class: "pill", text: kindText(channel) })),
    h(
      "dl",
      { class: "kv bundle-facts" },
      h("dt", { text: "Sends to" }),
      h("dd", null, h("code", { class: "target", text: targetText(channel) })),
      h("dt", { text: "Timeout" }),
      h("dd", { text: `${channel.timeout_seconds} s` }),
    ),
    canManage
      ? h("div", { class: "inline" }, test, h("button", { type: "button", class: "small danger", "aria-label": `Delete ${channel.name}`, text: "Delete", onclick: remove }))
      : null,
    outcome,
  );
}

/** The "Channels" card. */
export function channelsCard(ctx, project, channels, canManage) {
  // A new webhook's secret lives only here until dismissed: the list reloads in place, and
  // dismissing renders the page again so that the rule form offers the new channel.
  const reveal = h("div", { class: "token-reveal", "aria-live": "polite" });
  const list = h("div");
  const show = (items) => {
    replace(
      list,
      items.length
        ? h("div", { class: "channel-list" }, items.map((channel) => channelItem(ctx, channel, canManage)))
        : h("p", { class: "muted", text: "No channels yet: a rule needs one to tell anybody." }),
    );
  };
  show(channels);
  const reload = async () => show((await ctx.api.get(`/projects/${project.id}/alert-channels`)).items);
  return h(
    "section",
    { class: "card channels" },
    h("h2", { text: "Channels" }),
    list,
    reveal,
    canManage
      ? [h("h3", { text: "Add a channel" }), channelForm(ctx, project, reveal, reload)]
      : h("p", { class: "muted", text: "Only administrators manage channels: they hold recipients and webhook secrets." }),
  );
}

function channelForm(ctx, project, reveal, reload) {
  const name = h("input", { type: "text", required: true, maxlength: 200, placeholder: "Name, e.g. Ops on Slack", "aria-label": "Channel name", size: 24 });
  const kind = h("select", { "aria-label": "Channel kind" }, h("option", { value: "webhook", text: "Webhook" }), h("option", { value: "email", text: "Email" }));
  const target = h("input", { type: "text", required: true, maxlength: 2000, size: 32, "aria-label": "Sends to" });
  const format = h("select", { "aria-label": "Body format" }, Object.entries(FORMATS).map(([value, text]) => h("option", { value, text })));
  const timeout = h("input", { type: "number", class: "narrow", min: 1, max: 30, value: 10, "aria-label": "Timeout in seconds" });
  // `hidden` goes on a plain wrapper: the flex layout of .field would override it.
  const formatField = h("span", null, h("label", { class: "field" }, h("span", { text: "Format" }), format));
  const sync = () => {
    const email = kind.value === "email";
    formatField.hidden = email;
    target.placeholder = email ? "ops@example.org, dev@example.org" : "https://hooks.slack.com/services/…";
  };
  kind.addEventListener("change", sync);
  sync();

  async function create(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const body = { name: name.value.trim(), kind: kind.value, timeout_seconds: Number(timeout.value) };
    if (kind.value === "email") {
      body.target = target.value.split(/[,;\s]+/).filter(Boolean);
    } else {
      body.target = target.value.trim();
      body.format = format.value;
    }
    if (kind.value === "email") return act(ctx, () => ctx.api.post(`/projects/${project.id}/alert-channels`, body), "Channel added");
    try {
      const created = await ctx.api.post(`/projects/${project.id}/alert-channels`, body);
      toast("Channel added");
      replace(
        reveal,
        h("p", { class: "notice ok", text: `“${created.name}” signs every request with this secret (X-Faultline-Signature: sha256=HMAC of the body). Copy it now: it is not shown again.` }),
        copyable(created.secret, "Copy secret"),
        h("button", { type: "button", class: "small secondary", text: "Done", onclick: () => ctx.refresh() }),
      );
      form.reset();
      sync();
      await reload();
    } catch (error) {
      ctx.showError(error);
    }
  }
  return h(
    "form",
    { class: "channel-form", onsubmit: create },
    h("div", { class: "inline" }, name, kind, target, formatField, h("label", { class: "field" }, h("span", { text: "Timeout" }), timeout, h("span", { text: "s" }))),
    h("div", { class: "inline" }, h("button", { type: "submit", text: "Add channel" })),
  );
}
