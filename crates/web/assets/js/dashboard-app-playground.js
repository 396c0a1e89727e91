// The dashboard-app playground: hosts one frame through the conversation view's own AppBridge
// and shows everything that happens. Only the context source differs: `loadContext` serves the
// sample fixture or a real conversation's signed context, with any simulated messages appended
// (they exist in this page only; nothing is written to the conversation), shaped for the chosen
// placement: a conversation's (tab, panel, modal), a contact page's (the contact and their
// conversations) or a full page's (the agent and the account).
//
// Test hooks: body[data-ready]; #pg-conversation[data-loaded] once real conversations are
// listed; #pg-log > li[data-direction="sent"|"received"|"note"][data-event][data-reason];
// #pg-token[data-state="valid"|"expired"].

import { AppBridge } from "./app-bridge.js";
import { proxyThrough } from "./app-requests.js";
import { SERVER_ACTIONS } from "./app-protocol.js";
import { request, errorText } from "./api.js";
import { toast } from "./toast.js";

const $ = (id) => document.getElementById(id);
const root = $("playground");
const accountId = document.body.dataset.accountId;
const sample = JSON.parse(root.dataset.sampleContext);

/** What the current frame is served; replaced on every "Load app". */
let session = null;
let countdown = null;

// ---- Context --------------------------------------------------------------------------------

/** The context for the chosen conversation (signed for `appId` when there is one), with the
 * simulated messages appended, as the JSON string the bridge posts. */
async function loadContext(current, appId) {
  let body;
  if (current.conversation === "sample") {
    body = structuredClone(sample);
  } else {
    const base = `/api/v1/accounts/${accountId}/conversations/${encodeURIComponent(current.conversation)}/app_context`;
    const url = appId === undefined ? base : `${base}?app_id=${encodeURIComponent(appId)}`;
    const result = await request("GET", url);
    if (!result.ok) throw new Error(`the context could not be loaded: ${errorText(result)}`);
    body = result.data;
  }
  if (current.simulated.length > 0 && body.data?.conversation) {
    body.data.conversation.messages = [...body.data.conversation.messages, ...current.simulated];
  }
  return JSON.stringify(await placed(current, appId, body));
}

/** The conversation context `body` as the chosen placement's: a real contact's or a registered
 * full-page app's from the server (signed for `appId`), else built from `body`. */
async function placed(current, appId, body) {
  const { conversation, contact, currentAgent, customAttributeDefinitions } = body.data;
  const query = appId === undefined ? "" : `?app_id=${encodeURIComponent(appId)}`;
  const fetched = async (url) => {
    const result = await request("GET", url);
    if (!result.ok) throw new Error(`the context could not be loaded: ${errorText(result)}`);
    return result.data;
  };
  const definitions = customAttributeDefinitions ? { customAttributeDefinitions } : {};
  if (current.placement === "contact_page") {
    if (current.conversation !== "sample") {
      return fetched(`/api/v1/accounts/${accountId}/contacts/${encodeURIComponent(contact.id)}/app_context${query}`);
    }
    return { event: "appContext", data: { contact, conversations: [conversation], currentAgent, ...definitions } };
  }
  if (current.placement === "full_page") {
    if (appId !== undefined) return fetched(`/api/v1/accounts/${accountId}/dashboard_apps/${encodeURIComponent(appId)}/app_context`);
    const account = { id: conversation.account_id, name: document.body.dataset.accountName || "Sample account" };
    return { event: "appContext", data: { currentAgent, account, ...definitions } };
  }
  return body;
}

/** A message that exists only in this page, marked as such in its content and attributes. */
function simulatedMessage(current, context) {
  const conversation = context.data.conversation;
  const contact = context.data.contact;
  const n = current.simulated.length + 1;
  return {
    // Negative ids cannot collide with real messages.
    id: -n,
    content: `[Simulated by the playground] Test message ${n}: where is my order?`,
    inbox_id: conversation.inbox_id,
    conversation_id: conversation.id,
    message_type: 0,
    content_type: "text",
    content_attributes: { playground_simulated: true },
    created_at: Math.floor(Date.now() / 1000),
    private: false,
    source_id: null,
    sender: {
      id: contact.id,
      name: contact.name,
      type: "contact",
      email: contact.email,
      thumbnail: contact.thumbnail || "",
    },
  };
}

// ---- URL placeholders -------------------------------------------------------------------------

/** Percent-encodes everything but RFC 3986's unreserved characters, as the host does. */
function encodeValue(value) {
  return encodeURIComponent(value === null || value === undefined ? "" : String(value)).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** `url` with its placeholders filled from `context`; throws on unknown ones or ones in the
 * origin (registered apps cannot be saved with those either). */
function fillPlaceholders(url, context) {
  const { conversation, contact, currentAgent } = context.data;
  const values = {
    "conversation.id": conversation?.id,
    "contact.id": contact?.id,
    "contact.email": contact?.email,
    "contact.phone_number": contact?.phone_number,
    "contact.identifier": contact?.identifier,
    "agent.id": currentAgent?.id,
    "agent.email": currentAgent?.email,
    "account.id": conversation?.account_id ?? context.data.account?.id,
    "inbox.id": conversation?.inbox_id,
  };
  const origin = url.match(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i)?.[0] || "";
  if (origin.includes("{{")) throw new Error("placeholders may not appear in the URL's origin");
  return url.replace(/\{\{\s*([a-z_.]+)\s*\}\}/g, (_, name) => {
    if (!(name in values)) throw new Error(`unknown placeholder {{${name}}}`);
    return encodeValue(values[name]);
  });
}

// ---- The log ------------------------------------------------------------------------------

const clock = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  fractionalSecondDigits: 3,
  hour12: false,
});

/** `data` as pretty JSON when it is (or holds) JSON, else as a JSON string literal. */
function pretty(data) {
  if (typeof data === "string") {
    try {
      return JSON.stringify(JSON.parse(data), null, 2);
    } catch {
      return JSON.stringify(data);
    }
  }
  try {
    return JSON.stringify(data, null, 2);
  } catch {
    return String(data);
  }
}

function log(direction, label, { event = "", reason = "", body } = {}) {
  const item = document.createElement("li");
  item.className = "playground-entry";
  item.dataset.direction = direction;
  if (event) item.dataset.event = event;
  if (reason) item.dataset.reason = reason;
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  const time = document.createElement("time");
  const now = new Date();
  time.dateTime = now.toISOString();
  time.textContent = clock.format(now);
  const arrow = document.createElement("span");
  arrow.className = "playground-direction";
  arrow.textContent = { sent: "Switchboard → app", received: "app → Switchboard", note: "playground" }[direction];
  const what = document.createElement("span");
  what.textContent = label;
  summary.append(time, arrow, what);
  details.append(summary);
  if (body !== undefined) {
    const pre = document.createElement("pre");
    pre.className = "playground-json";
    pre.textContent = pretty(body);
    details.append(pre);
  }
  item.append(details);
  // Follow new entries only when the reader is at the end, and scroll the log, not the page
  // (which would pull the frame out of view).
  const list = $("pg-log");
  const atEnd = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
  list.append(item);
  if (atEnd) list.scrollTop = list.scrollHeight;
}

function onSent({ detail }) {
  let message = null;
  try {
    message = JSON.parse(detail.payload);
  } catch {
    // The bridge only posts JSON strings; log it raw if that ever changes.
  }
  if (message?.event === "appContext") {
    const meta = message.meta || {};
    log("sent", `appContext (${meta.reason}, seq ${meta.seq})${message.token ? ", signed" : ""}`, {
      event: "appContext",
      reason: String(meta.reason || ""),
      body: detail.payload,
    });
    showToken(message.token);
  } else {
    const outcome = message?.ok ? "ok" : `refused: ${message?.error}`;
    log("sent", `${message?.event} ${JSON.stringify(message?.id)} ${outcome}`, {
      event: message?.event || "",
      reason: detail.reason || "",
      body: detail.payload,
    });
  }
}

/** How an app wrote its request: the protocol accepts three forms. */
function form(data) {
  if (typeof data !== "string") return "an object";
  return data.startsWith("{") ? "a JSON string" : "a bare string";
}

function onReceived({ detail }) {
  const message = detail.message;
  let label;
  let event = "";
  if (message?.kind === "request") {
    event = message.event;
    label = `${message.event} (${form(detail.data)}), answered with a fresh context`;
  } else if (message?.kind === "action") {
    event = message.event;
    label = `${message.event} ${JSON.stringify(message.id)}`;
  } else {
    label = "not part of the protocol — ignored";
  }
  log("received", label, { event, body: detail.data });
}

// ---- The token --------------------------------------------------------------------------------

function decodePart(part) {
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function showToken(token) {
  const panel = $("pg-token");
  clearInterval(countdown);
  if (typeof token !== "string") {
    panel.hidden = true;
    $("pg-token-none").hidden = false;
    delete panel.dataset.state;
    return;
  }
  let header;
  let claims;
  try {
    const [h, c] = token.split(".");
    header = decodePart(h);
    claims = decodePart(c);
  } catch (error) {
    log("note", `The token could not be decoded: ${error.message}`);
    return;
  }
  $("pg-token-header").textContent = JSON.stringify(header, null, 2);
  $("pg-token-claims").textContent = JSON.stringify(claims, null, 2);
  panel.hidden = false;
  $("pg-token-none").hidden = true;
  const tick = () => {
    const left = Math.round(claims.exp - Date.now() / 1000);
    const span = Math.abs(left);
    const text = `${Math.floor(span / 60)}:${String(span % 60).padStart(2, "0")}`;
    $("pg-token-expiry").textContent = left > 0 ? `Expires in ${text}` : `Expired ${text} ago`;
    panel.dataset.state = left > 0 ? "valid" : "expired";
  };
  tick();
  countdown = setInterval(tick, 1000);
}

// ---- Loading a frame --------------------------------------------------------------------------

function showError(text) {
  const box = $("pg-error");
  box.textContent = text;
  box.hidden = !text;
}

/** The action toggles, one per action of the server's registry. */
const actionToggles = () => [...document.querySelectorAll(".pg-allow")];

function allowedActions() {
  return actionToggles().filter((input) => input.checked).map((input) => input.value);
}

/** The server-side actions, simulated: the playground writes nothing to a conversation, so it
 * logs what the app asked and answers it as done. */
function simulatedServerActions() {
  const performers = {};
  for (const event of SERVER_ACTIONS) {
    performers[event] = (payload) => {
      const { event: _event, id: _id, ...fields } = payload;
      log("note", `Simulated ${event} ${JSON.stringify(fields)}: on a conversation it is done as the agent and noted "via" the app; nothing is written here`, { event });
    };
  }
  return performers;
}

async function load() {
  showError("");
  const appSelect = $("pg-app");
  const appId = appSelect.value || undefined;
  const rawUrl = $("pg-url").value.trim();
  const current = { conversation: $("pg-conversation").value, placement: $("pg-placement").value, simulated: [] };

  let url;
  try {
    const context = JSON.parse(await loadContext(current, appId));
    url = new URL(fillPlaceholders(rawUrl, context));
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("the URL must start with http:// or https://");
  } catch (error) {
    showError(rawUrl ? `Cannot load it: ${error.message}` : "Enter the URL of the page to host.");
    return;
  }

  session?.bridge.close();
  const bridge = new AppBridge("", {
    loadContext: () => loadContext(current, appId),
    actions: {
      "insert-reply": ({ text }) => {
        // As the conversation view does: after what is there, separated by a blank line.
        const box = $("pg-reply");
        box.value = box.value.trim() ? `${box.value.trimEnd()}\n\n${text}` : text;
      },
      "replace-reply": ({ text }) => {
        $("pg-reply").value = text;
      },
      notify: ({ text, level }) => {
        toast(text, level || "info", { source: appSelect.selectedOptions[0]?.textContent || "App" });
      },
      open: ({ conversation_id: conversationId, contact_id: contactId }) => {
        log("note", `Simulated open of ${conversationId ? `conversation #${conversationId}` : `contact ${contactId}`}: the playground stays here`);
      },
      ...simulatedServerActions(),
    },
    // A registered app on a real conversation sends real requests through the proxy (its
    // settings, secrets, hosts and limits apply, and they are logged); elsewhere there is no
    // app or conversation to send them for, and they are answered "unavailable".
    proxyRequest: appId && current.conversation !== "sample" ? proxyThrough(accountId, Number(current.conversation)) : null,
  });
  bridge.addEventListener("sent", onSent);
  bridge.addEventListener("received", onReceived);
  bridge.addEventListener("error", ({ detail }) => log("note", `No context was sent: ${detail?.message || detail}`));

  const host = $("pg-frame-host");
  host.replaceChildren();
  host.dataset.placement = current.placement;
  const title = appId ? appSelect.selectedOptions[0].textContent : "App under test";
  const allowed = allowedActions();
  const iframe = bridge.createFrame(host, { url: url.href, origin: url.origin }, title, appId, {
    allowedActions: allowed,
  });
  iframe.dataset.playground = "true";
  iframe.dataset.placement = current.placement;
  session = { bridge, current, iframe, appId };
  showToken(null);
  log("note", `Loading ${url.href} as ${$("pg-placement").selectedOptions[0].textContent.toLowerCase()} (${current.conversation === "sample" ? "sample conversation" : `conversation #${current.conversation}`}; allowed actions: ${allowed.join(", ") || "none"})`);
  $("pg-push").disabled = false;
  $("pg-simulate").disabled = false;
}

async function simulate() {
  if (!session) return;
  const context = JSON.parse(await loadContext(session.current, session.appId));
  if (!context.data?.conversation) return;
  session.current.simulated.push(simulatedMessage(session.current, context));
  log("note", "Simulated a new incoming message (in this page only)");
  session.bridge.push("message.created");
}

// ---- Conversations ------------------------------------------------------------------------

async function listConversations() {
  const select = $("pg-conversation");
  const result = await request("GET", `/api/v1/accounts/${accountId}/conversations?status=all`);
  if (!result.ok) {
    log("note", `Real conversations could not be listed: ${errorText(result)}`);
  } else {
    for (const conversation of result.data.data.payload) {
      const option = document.createElement("option");
      option.value = String(conversation.id);
      const who = conversation.meta?.sender?.name || conversation.meta?.sender?.email || "unknown contact";
      option.textContent = `#${conversation.id} · ${who} · ${conversation.status}`;
      select.append(option);
    }
  }
  select.dataset.loaded = "true";
}

// ---- Wiring -------------------------------------------------------------------------------

$("pg-app").addEventListener("change", (event) => {
  const option = event.target.selectedOptions[0];
  if (!option?.dataset.url) return;
  $("pg-url").value = option.dataset.url;
  // Start from what an administrator allowed this app; the toggles then try other settings.
  const allowed = (option.dataset.allowed || "").split(" ");
  for (const input of actionToggles()) input.checked = allowed.includes(input.value);
  if (option.dataset.placement) $("pg-placement").value = option.dataset.placement;
});
// Another placement is another frame with another context: reload with it.
$("pg-placement").addEventListener("change", () => session && load());
$("pg-form").addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});
for (const input of actionToggles()) {
  // Permissions are fixed when a frame is made (as in the conversation view): reload with them.
  input.addEventListener("change", () => session && load());
}
$("pg-push").addEventListener("click", () => {
  if (!session) return;
  log("note", "Pushed an update");
  session.bridge.push("conversation.updated");
});
$("pg-simulate").addEventListener("click", simulate);
$("pg-log-clear").addEventListener("click", () => $("pg-log").replaceChildren());

listConversations();
document.body.dataset.ready = "true";
