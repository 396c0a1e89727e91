// The website widget's chat window (/widget), framed by a site through sdk.js or opened on its
// own by popoutChatWindow. It speaks Chatwoot's Client API as the visitor
// (/public/api/v1/inboxes/{website_token}/contacts/{source_id}/…) and hears its conversation on
// /cable with the visitor's pubsub token. The site's page is reached only by postMessage to its
// origin (location.ancestorOrigins, else the referrer), and only its messages are read. Every
// string from the server or the site is put in the page as text, never as markup.
// Markers for tests: body[data-ready] once the visitor's session is up, body[data-conversation]
// with the conversation's display id once there is one, body[data-open] while the site shows it.

import { Cable } from "/assets/js/cable.js";

const PREFIX = "chatwoot-widget:";
const TYPING_IDLE_MS = 3000;
const body = document.body;
const api = `/public/api/v1/inboxes/${encodeURIComponent(body.dataset.websiteToken)}`;
const list = document.getElementById("messages");
const thread = document.getElementById("thread");
const form = document.getElementById("composer");
const input = document.getElementById("composer-input");
const fileInput = document.getElementById("composer-file");
const agentTyping = document.getElementById("agent-typing");
const notice = document.getElementById("notice");
document.documentElement.style.setProperty("--widget-color", body.dataset.widgetColor || "#1f93ff");

const framed = window.parent !== window;
const parentOrigin = (() => {
  if (!framed) return null;
  if (location.ancestorOrigins && location.ancestorOrigins.length) return location.ancestorOrigins[0];
  try {
    return new URL(document.referrer).origin;
  } catch {
    return null;
  }
})();

let session = null; // {sourceId, pubsubToken}
let conversationId = null;
let referer = framed ? null : document.referrer || null;
let isOpen = !framed;
let typing = false;
let typingTimer = null;
let pendingConversationAttributes = {};
// When the visitor last read the conversation (`contact_last_seen_at`), and how many agent
// messages came after it: the site's bubble shows the count while the window is closed.
let lastSeenAt = 0;
let unread = 0;
// What the site asked of a conversation not opened yet (labels), run once it is.
let afterConversation = [];
const shown = new Set();
let startSession;
const started = new Promise((resolve) => (startSession = resolve));

function toParent(event, data = {}) {
  if (parentOrigin) window.parent.postMessage(PREFIX + JSON.stringify({ event, ...data }), parentOrigin);
}

function say(text) {
  notice.textContent = text || "";
  notice.hidden = !text;
}

async function call(method, path, payload) {
  const init = { method, headers: { Accept: "application/json" } };
  if (payload instanceof FormData) init.body = payload;
  else if (payload !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(payload);
  }
  let response;
  try {
    response = await fetch(api + path, init);
  } catch {
    return { ok: false, status: 0, data: { error: "Network error" } };
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  return { ok: response.ok, status: response.status, data };
}

const contactPath = () => `/contacts/${encodeURIComponent(session.sourceId)}`;
const conversationPath = () => `${contactPath()}/conversations/${conversationId}`;

/** The visitor's contact: the one the site's cookie names, else a new one (told to the site). */
async function openSession(authToken) {
  if (authToken) {
    const found = await call("GET", `/contacts/${encodeURIComponent(authToken)}`);
    if (found.ok) session = { sourceId: authToken, pubsubToken: found.data.pubsub_token };
  }
  if (!session) {
    const made = await call("POST", "/contacts", {});
    if (!made.ok) {
      say("The chat is unavailable right now.");
      return;
    }
    session = { sourceId: made.data.source_id, pubsubToken: made.data.pubsub_token };
    toParent("set-auth-token", { token: session.sourceId });
  }
  const cable = new Cable(session.pubsubToken);
  cable.addEventListener("event", (event) => onEvent(event.detail));
  cable.addEventListener("resync", () => loadThread());
  await loadThread();
  offerPreChat();
  body.dataset.ready = "";
  startSession();
}

/**
 * Chatwoot's pre-chat form, when the inbox has one and the visitor has no conversation yet: its
 * fields (e-mail, name, phone, and contact or conversation attributes) are asked before the
 * composer shows, and sent as the contact's fields and the new conversation's attributes.
 */
function offerPreChat() {
  const form = document.getElementById("pre-chat");
  let options = null;
  try {
    options = JSON.parse(body.dataset.preChat || "null");
  } catch {
    options = null;
  }
  if (!options || conversationId !== null) return;
  const standard = { emailAddress: "email", fullName: "name", phoneNumber: "phone_number" };
  document.getElementById("pre-chat-message").textContent = options.message || "";
  const holder = document.getElementById("pre-chat-fields");
  for (const field of options.fields || []) {
    const label = document.createElement("label");
    label.textContent = field.label || field.name;
    const input = document.createElement("input");
    input.name = field.name;
    input.type = ["email", "number", "text"].includes(field.type) ? field.type : "text";
    input.required = Boolean(field.required);
    input.dataset.fieldType = field.field_type || "standard";
    label.append(input);
    holder.append(label);
  }
  form.hidden = false;
  document.getElementById("composer").hidden = true;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const contact = {};
    const contactAttributes = {};
    for (const input of form.querySelectorAll("input")) {
      const value = input.value.trim();
      if (!value) continue;
      if (standard[input.name]) contact[standard[input.name]] = value;
      else if (input.dataset.fieldType === "conversation_attribute") pendingConversationAttributes[input.name] = value;
      else contactAttributes[input.name] = value;
    }
    if (Object.keys(contactAttributes).length) contact.custom_attributes = contactAttributes;
    const saved = await call("PATCH", contactPath(), contact);
    if (!saved.ok) {
      say(errorText(saved));
      return;
    }
    form.hidden = true;
    document.getElementById("composer").hidden = false;
    input.focus();
  });
}

/** The visitor's latest conversation in this inbox and its messages. */
async function loadThread() {
  const conversations = await call("GET", `${contactPath()}/conversations`);
  if (!conversations.ok || !conversations.data.length) return;
  const latest = conversations.data[conversations.data.length - 1];
  setConversation(latest.id);
  lastSeenAt = latest.contact_last_seen_at || 0;
  const messages = await call("GET", `${conversationPath()}/messages`);
  if (messages.ok) {
    messages.data.forEach(show);
    setUnread(messages.data.filter((m) => m.message_type === 1 && m.created_at > lastSeenAt).length);
  }
  markRead();
}

/** Chatwoot's unreadMessageCount: agent messages since the visitor last read, told to the site. */
function setUnread(count) {
  if (count === unread) return;
  unread = count;
  toParent("unread", { count });
}

function setConversation(id) {
  conversationId = id;
  body.dataset.conversation = String(id);
}

/** One message in the thread, once; `message_type` 0 is the visitor's, 1 an agent's, 3 the
 * inbox's own (the out-of-office reply). */
function show(message) {
  if (!message || shown.has(message.id) || message.private) return;
  if (![0, 1, 3].includes(message.message_type)) return;
  shown.add(message.id);
  const item = document.createElement("li");
  item.className = `message ${message.message_type === 0 ? "mine" : "theirs"}`;
  item.dataset.id = String(message.id);
  if (message.message_type === 1 && message.sender) {
    const who = document.createElement("div");
    who.className = "sender";
    if (message.sender.thumbnail) {
      const avatar = document.createElement("img");
      avatar.className = "avatar";
      avatar.alt = "";
      avatar.src = message.sender.thumbnail;
      who.append(avatar);
    }
    const name = document.createElement("span");
    name.className = "sender-name";
    name.textContent = message.sender.available_name || message.sender.name || "";
    who.append(name);
    item.append(who);
  }
  if (message.content) {
    const text = document.createElement("p");
    text.className = "content";
    text.textContent = message.content;
    item.append(text);
  }
  for (const file of message.attachments || []) {
    const link = document.createElement("a");
    link.className = "attachment";
    link.href = file.data_url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    if (file.file_type === "image" && file.thumb_url) {
      const image = document.createElement("img");
      image.alt = "Attached picture";
      image.src = file.thumb_url;
      link.append(image);
    } else link.textContent = "Attached file";
    item.append(link);
  }
  list.append(item);
  thread.scrollTop = thread.scrollHeight;
}

function onEvent({ name, data }) {
  if (name === "message.created" && data.conversation_id === conversationId) {
    const fresh = !shown.has(data.id);
    show(data);
    if (fresh && data.message_type === 1) {
      agentTyping.hidden = true;
      toParent("on-message", { data });
      if (!markRead()) setUnread(unread + 1);
    }
  } else if ((name === "conversation.typing_on" || name === "conversation.typing_off") && data.conversation) {
    if (data.conversation.id === conversationId) agentTyping.hidden = name === "conversation.typing_off";
  } else if (name === "conversation.created" && conversationId === null && data.id) {
    setConversation(data.id);
  }
}

/** Whether the site shows the window (body[data-open] says it, for tests and styling). */
function setOpen(open) {
  isOpen = Boolean(open);
  body.dataset.open = String(isOpen);
}

/** The visitor has read the thread (`contact_last_seen_at`), when the window is open and shown;
 * answers whether it was. */
function markRead() {
  if (!isOpen || conversationId === null || document.hidden) return false;
  setUnread(0);
  call("POST", `${conversationPath()}/update_last_seen`);
  return true;
}

function setTyping(on) {
  clearTimeout(typingTimer);
  if (on) typingTimer = setTimeout(() => setTyping(false), TYPING_IDLE_MS);
  if (on === typing || conversationId === null) return;
  typing = on;
  call("POST", `${conversationPath()}/toggle_typing`, { typing_status: on ? "on" : "off" });
}

/** The conversation, opened on the visitor's first message with what the browser tells. */
async function ensureConversation() {
  if (conversationId !== null) return true;
  const made = await call("POST", `${contactPath()}/conversations`, {
    custom_attributes: pendingConversationAttributes,
    referer_url: referer,
    timestamp: new Date().toString(),
    browser_language: navigator.language,
  });
  if (!made.ok) {
    say(errorText(made));
    return false;
  }
  pendingConversationAttributes = {};
  setConversation(made.data.id);
  const queued = afterConversation;
  afterConversation = [];
  queued.forEach((run) => run());
  return true;
}

function errorText(result) {
  const data = result.data || {};
  return data.message || data.error || "Something went wrong; please try again.";
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  await started;
  const content = input.value.trim();
  const file = fileInput.files[0];
  if (!content && !file) return;
  say(null);
  if (!(await ensureConversation())) return;
  setTyping(false);
  let payload = { content };
  if (file) {
    payload = new FormData();
    if (content) payload.append("content", content);
    payload.append("attachments[]", file);
  }
  const sent = await call("POST", `${conversationPath()}/messages`, payload);
  if (!sent.ok) {
    say(errorText(sent));
    return;
  }
  input.value = "";
  fileInput.value = "";
  show(sent.data);
});

input.addEventListener("input", () => setTyping(input.value.trim() !== ""));
input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    form.requestSubmit();
  }
});
document.getElementById("close-window").addEventListener("click", () => {
  if (framed) toParent("close-window");
  else window.close();
});
document.addEventListener("visibilitychange", markRead);

/** What the site asks of the window (sdk.js's methods). */
const commands = {
  "config-set": (m) => {
    referer = typeof m.referer === "string" ? m.referer : null;
    setOpen(m.isOpen);
    if (m.locale) document.documentElement.lang = String(m.locale).replace("_", "-");
    if (!session) openSession(typeof m.authToken === "string" ? m.authToken : null);
  },
  "toggle-open": (m) => {
    setOpen(m.isOpen);
    if (isOpen) {
      markRead();
      input.focus();
    }
  },
  "set-locale": (m) => {
    document.documentElement.lang = String(m.locale || "en").replace("_", "-");
  },
  "set-user": async (m) => {
    await started;
    const user = m.user || {};
    const result = await call("PATCH", contactPath(), {
      identifier: m.identifier,
      identifier_hash: user.identifier_hash,
      name: user.name,
      email: user.email,
      phone_number: user.phone_number,
    });
    if (!result.ok) toParent("error", { errorType: "SET_USER_ERROR", data: result.data });
  },
  "set-custom-attributes": async (m) => {
    await started;
    report(await call("PATCH", contactPath(), { custom_attributes: m.customAttributes }));
  },
  "delete-custom-attribute": async (m) => {
    await started;
    report(await call("POST", `${contactPath()}/destroy_custom_attributes`, { custom_attributes: [String(m.customAttribute)] }));
  },
  "set-conversation-custom-attributes": async (m) => {
    await started;
    if (conversationId === null) Object.assign(pendingConversationAttributes, m.customAttributes || {});
    else report(await call("POST", `${conversationPath()}/custom_attributes`, { custom_attributes: m.customAttributes }));
  },
  "delete-conversation-custom-attribute": async (m) => {
    await started;
    const key = String(m.customAttribute);
    if (conversationId === null) delete pendingConversationAttributes[key];
    else report(await call("POST", `${conversationPath()}/destroy_custom_attributes`, { custom_attributes: [key] }));
  },
  "set-label": (m) => onConversation(() => call("POST", `${conversationPath()}/labels`, { label: m.label }).then(report)),
  "remove-label": (m) => onConversation(() => call("DELETE", `${conversationPath()}/labels/${encodeURIComponent(m.label)}`).then(report)),
};

/** Runs `run` now if the conversation exists, else once the visitor's first message opens it. */
async function onConversation(run) {
  await started;
  if (conversationId === null) afterConversation.push(run);
  else run();
}

/** A refused request from the site's call, told to the site as chatwoot:error. */
function report(result) {
  if (!result.ok) toParent("error", { data: result.data });
}

let inOrder = Promise.resolve();
window.addEventListener("message", (event) => {
  if (!framed || event.source !== window.parent || event.origin !== parentOrigin) return;
  if (typeof event.data !== "string" || !event.data.startsWith(PREFIX)) return;
  let message;
  try {
    message = JSON.parse(event.data.slice(PREFIX.length));
  } catch {
    return;
  }
  const command = commands[message.event];
  // One at a time, in the order the site called them (a set then a delete stays in order).
  if (command) inOrder = inOrder.then(() => command(message)).catch(() => {});
});

if (framed) toParent("loaded");
else openSession(new URLSearchParams(location.search).get("cw_conversation"));
