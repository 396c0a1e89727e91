// "Customer orders" — a demo dashboard app for Switchboard, written on the SDK the way the
// author's guide (docs/dashboard-apps.md) says.
//
// Runs inside an iframe on its own origin. The SDK (imported from the Switchboard this app is
// registered with, named in <html data-switchboard>) asks for the context, retries, drops stale
// updates and carries the actions: "Draft reply" puts a reply in the agent's reply box
// (insertReply), "Tag VIP" labels the conversation (addLabel, done as the agent and noted "via"
// this app), "Copy" on an order copies its number and says so in Switchboard (notify). It lives
// in the panel beside the conversation and sizes its frame to its content (autoResize, through
// the `resize` action). The signed token goes to this app's own backend, which verifies it with
// the public keys Switchboard publishes (`/.well-known/jwks.json`), no secret needed.
//
// All data is rendered with textContent / createElement, never innerHTML.
//
// Test hooks:
//   body[data-context-received="true"]  once a context has been rendered
//   body[data-context-count="N"]        number of contexts received
//   body[data-token-verified]           "true"/"false" once the backend answered
//   body[data-last-action]              "<action>:ok" or "<action>:<error code>"
//   #contact-name, #contact-email, #conversation-id ("#<id>"), #orders > .order

const DAY_MS = 24 * 60 * 60 * 1000;

const PRODUCTS = [
  { name: "Espresso beans 1kg", cents: 2400 },
  { name: "Ceramic pour-over set", cents: 3800 },
  { name: "Conical burr grinder", cents: 12900 },
  { name: "Gooseneck kettle", cents: 6900 },
  { name: "Paper filters (100)", cents: 650 },
  { name: "Decaf house blend 500g", cents: 1450 },
  { name: "Cold brew bottle", cents: 2200 },
  { name: "Milk frother", cents: 3400 },
  { name: "Travel mug 350ml", cents: 1900 },
  { name: "Single-origin sampler", cents: 2900 },
  { name: "Descaling kit", cents: 1200 },
  { name: "Canvas barista apron", cents: 2800 },
];

const STATUS_CLASS = {
  Delivered: "status-delivered",
  Shipped: "status-shipped",
  Processing: "status-processing",
  Refunded: "status-refunded",
};

const CONVERSATION_STATUSES = new Set(["open", "pending", "snoozed", "resolved"]);

const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const dayFormat = new Intl.DateTimeFormat("en-US", {
  month: "short",
  day: "numeric",
  year: "numeric",
  timeZone: "UTC",
});
const dateTimeFormat = new Intl.DateTimeFormat("en-US", {
  month: "short",
  day: "numeric",
  hour: "numeric",
  minute: "2-digit",
});

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function str(value) {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return "";
}

function setText(id, text, fallback) {
  const node = $(id);
  const value = str(text);
  node.textContent = value || fallback || "";
  node.classList.toggle("is-empty", !value);
}

function humanizeKey(key) {
  const spaced = String(key).replace(/[_-]+/g, " ").replace(/([a-z])([A-Z])/g, "$1 $2").trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function formatValue(value) {
  if (value === true) return "Yes";
  if (value === false) return "No";
  if (typeof value === "string" || typeof value === "number") return String(value);
  if (Array.isArray(value)) return value.map(formatValue).filter(Boolean).join(", ");
  if (isObject(value)) {
    try {
      return JSON.stringify(value);
    } catch {
      return "";
    }
  }
  return "";
}

function truncate(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function initials(name) {
  // Only words that start with a letter or digit ("<img …>" contributes nothing).
  const letters = str(name)
    .split(/\s+/)
    .map((part) => (part.match(/^[\p{L}\p{N}]/u) || [""])[0])
    .filter(Boolean);
  if (letters.length === 0) return "?";
  const pair = letters.length > 1 ? letters[0] + letters[letters.length - 1] : letters[0];
  return pair.toUpperCase();
}

function announce(message) {
  $("status").textContent = message;
}

// ---------------------------------------------------------------------------
// Deterministic PRNG: FNV-1a hash of the seed string -> mulberry32
// ---------------------------------------------------------------------------

function hashString(input) {
  let h = 0x811c9dc5;
  for (let i = 0; i < input.length; i += 1) {
    h ^= input.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomInt(rand, min, maxInclusive) {
  return min + Math.floor(rand() * (maxInclusive - min + 1));
}

// Same contact (id + email) always yields the same orders. Dates are offsets
// from today (UTC), so they always fall within the last 90 days.
function ordersFor(contact) {
  const seed = `${str(contact.id)}|${str(contact.email).toLowerCase()}`;
  const rand = mulberry32(hashString(seed));
  const count = randomInt(rand, 3, 6);
  const todayUtc = Math.floor(Date.now() / DAY_MS) * DAY_MS;

  const usedNumbers = new Set();
  const usedDays = new Set();
  const orders = [];

  for (let i = 0; i < count; i += 1) {
    let number;
    do {
      number = randomInt(rand, 10000, 99999);
    } while (usedNumbers.has(number));
    usedNumbers.add(number);

    let daysAgo;
    do {
      daysAgo = randomInt(rand, 0, 89);
    } while (usedDays.has(daysAgo));
    usedDays.add(daysAgo);

    const itemCount = randomInt(rand, 1, 3);
    const pool = PRODUCTS.slice();
    const items = [];
    for (let j = 0; j < itemCount; j += 1) {
      const product = pool.splice(randomInt(rand, 0, pool.length - 1), 1)[0];
      const quantity = rand() < 0.75 ? 1 : 2;
      items.push({ name: product.name, quantity, cents: product.cents * quantity });
    }
    const totalCents = items.reduce((sum, item) => sum + item.cents, 0);

    const roll = rand();
    let status;
    if (daysAgo <= 2) status = roll < 0.6 ? "Processing" : "Shipped";
    else if (daysAgo <= 7) status = roll < 0.7 ? "Shipped" : "Delivered";
    else status = roll < 0.12 ? "Refunded" : "Delivered";

    orders.push({
      number: `#A-${number}`,
      date: new Date(todayUtc - daysAgo * DAY_MS),
      daysAgo,
      items,
      totalCents,
      status,
    });
  }

  orders.sort((a, b) => a.daysAgo - b.daysAgo);
  return orders;
}

// ---------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------

function renderAgent(agent) {
  const name = isObject(agent) ? str(agent.name) || str(agent.email) : "";
  $("viewing-as").textContent = name ? `Viewing as ${name}` : "Viewing as an agent";
}

function renderAvatar(contact) {
  const avatar = $("contact-avatar");
  avatar.replaceChildren();
  avatar.textContent = initials(contact.name || contact.email);
  const thumb = str(contact.thumbnail);
  if (/^https?:\/\//i.test(thumb)) {
    const img = document.createElement("img");
    img.alt = "";
    img.referrerPolicy = "no-referrer";
    img.addEventListener("load", () => {
      avatar.replaceChildren(img);
    });
    img.src = thumb;
  }
}

function renderContact(contact) {
  const additional = isObject(contact.additional_attributes) ? contact.additional_attributes : {};
  const custom = isObject(contact.custom_attributes) ? contact.custom_attributes : {};

  setText("contact-name", contact.name, "Unnamed contact");
  setText("contact-email", contact.email, "No email on file");
  setText("contact-phone", contact.phone_number, "No phone on file");

  const company = str(additional.company_name);
  const identifier = str(contact.identifier);
  const companyLine = [company, identifier ? `ID ${identifier}` : ""].filter(Boolean).join(" · ");
  setText("contact-company", companyLine, "No company");

  const description = str(additional.description);
  const descNode = $("contact-description");
  descNode.textContent = description;
  descNode.hidden = !description;

  renderAvatar(contact);

  // Custom attributes first (plan, tier…), then remaining additional ones.
  const chips = [];
  for (const [key, value] of Object.entries(custom)) chips.push([key, value, true]);
  for (const [key, value] of Object.entries(additional)) {
    if (key === "company_name" || key === "description") continue;
    chips.push([key, value, false]);
  }

  const list = $("contact-attributes");
  list.replaceChildren();
  for (const [key, value, isCustom] of chips.slice(0, 14)) {
    const text = formatValue(value);
    if (!text) continue;
    const chip = el("li", isCustom ? "chip chip-custom" : "chip");
    chip.append(el("span", "chip-key", humanizeKey(key)), el("span", "chip-value", truncate(text, 60)));
    chip.title = `${humanizeKey(key)}: ${text}`;
    list.append(chip);
  }
  list.hidden = list.childElementCount === 0;
}

function isActivity(message) {
  return message.message_type === 2 || message.message_type === "activity";
}

function lastPublicMessage(messages) {
  if (!Array.isArray(messages)) return null;
  let best = null;
  let bestActivity = null;
  messages.forEach((message, index) => {
    if (!isObject(message) || message.private === true || !str(message.content)) return;
    const at = Number(message.created_at) || 0;
    const candidate = { message, at, index };
    const better = (current) => !current || at > current.at || (at === current.at && index > current.index);
    if (isActivity(message)) {
      if (better(bestActivity)) bestActivity = candidate;
    } else if (better(best)) {
      best = candidate;
    }
  });
  return (best || bestActivity || {}).message || null;
}

function renderConversation(conversation) {
  const idNode = $("conversation-id");
  const id = str(conversation.id);
  idNode.textContent = id ? `#${id}` : "";

  const status = str(conversation.status).toLowerCase();
  const badge = $("conversation-status");
  badge.className = "badge";
  if (CONVERSATION_STATUSES.has(status)) badge.classList.add(`badge-${status}`);
  badge.textContent = status || "unknown";
  badge.hidden = !status;

  const meta = isObject(conversation.meta) ? conversation.meta : {};
  const assignee = isObject(meta.assignee) ? str(meta.assignee.name) || str(meta.assignee.email) : "";
  $("conversation-assignee").textContent = assignee ? `Assigned to ${assignee}` : "Unassigned";

  const labels = $("conversation-labels");
  labels.replaceChildren();
  if (Array.isArray(conversation.labels)) {
    for (const label of conversation.labels) {
      const text = str(label);
      if (text) labels.append(el("li", "label", text));
    }
  }
  labels.hidden = labels.childElementCount === 0;

  const last = lastPublicMessage(conversation.messages);
  const quote = $("last-message");
  const caption = $("last-message-meta");
  if (last) {
    quote.textContent = truncate(str(last.content), 600);
    quote.classList.remove("is-empty");
    const sender = isObject(last.sender) ? str(last.sender.name) : "";
    const at = Number(last.created_at);
    const when = Number.isFinite(at) && at > 0 ? dateTimeFormat.format(new Date(at * 1000)) : "";
    caption.textContent = ["Last message", sender, when].filter(Boolean).join(" · ");
  } else {
    quote.textContent = "No messages yet.";
    quote.classList.add("is-empty");
    caption.textContent = "Last message";
  }
}

function renderOrders(contact) {
  const orders = ordersFor(contact);
  shown.orders = orders;
  const list = $("orders");
  list.replaceChildren();

  for (const order of orders) {
    const item = el("li", "order");
    item.dataset.orderNumber = order.number;

    const head = el("div", "order-head");
    const copy = el("button", "btn btn-small copy-order", "Copy");
    copy.type = "button";
    copy.setAttribute("aria-label", `Copy order number ${order.number}`);
    copy.addEventListener("click", () => copyOrderNumber(order.number));
    const end = el("span", "order-head-end");
    end.append(el("span", `badge order-status ${STATUS_CLASS[order.status]}`, order.status), copy);
    head.append(el("span", "order-number", order.number), end);

    const time = el("time", "order-date muted small", dayFormat.format(order.date));
    time.dateTime = order.date.toISOString().slice(0, 10);

    const lines = el("ul", "order-items");
    for (const line of order.items) {
      const row = el("li");
      const name = line.quantity > 1 ? `${line.quantity} × ${line.name}` : line.name;
      row.append(el("span", "", name), el("span", "muted", money.format(line.cents / 100)));
      lines.append(row);
    }

    const total = el("div", "order-total");
    total.append(el("span", "muted small", "Total"), el("strong", "", money.format(order.totalCents / 100)));

    item.append(head, time, lines, total);
    list.append(item);
  }

  const lifetime = orders.reduce((sum, order) => sum + order.totalCents, 0);
  $("lifetime-value").textContent = money.format(lifetime / 100);
  $("orders-heading").textContent = `Recent orders (${orders.length})`;
}

function render(data) {
  const conversation = isObject(data.conversation) ? data.conversation : {};
  const convMeta = isObject(conversation.meta) ? conversation.meta : {};
  let contact = isObject(data.contact) ? data.contact : null;
  if (!contact && isObject(convMeta.sender)) contact = convMeta.sender;
  contact = contact || {};

  renderAgent(data.currentAgent);
  renderContact(contact);
  renderConversation(conversation);
  renderOrders(contact);

  $("waiting").hidden = true;
  $("error").hidden = true;
  $("content").hidden = false;
}

// ---------------------------------------------------------------------------
// Talking to Switchboard (through the SDK)
// ---------------------------------------------------------------------------

/** What is on screen: the draft reply is written from it. */
const shown = { contact: null, orders: [] };
let contextCount = 0;
let app = null;

function onContext({ data, token }) {
  if (!isObject(data)) return;
  let ok = true;
  try {
    render(data);
    shown.contact = isObject(data.contact) ? data.contact : null;
  } catch (error) {
    ok = false;
    const banner = $("error");
    banner.textContent = "Could not display this conversation's context.";
    banner.hidden = false;
    console.error("demo-app: render failed", error);
  }
  if (typeof token === "string") verify(token);
  contextCount += 1;
  document.body.dataset.contextCount = String(contextCount);
  if (ok) {
    loadLoyalty(shown.contact || (isObject(data.conversation) && isObject(data.conversation.meta) ? data.conversation.meta.sender : null));
    document.body.dataset.contextReceived = "true";
    $("draft-reply").disabled = false;
    $("tag-vip").disabled = false;
    announce("Conversation context updated.");
  }
}

// The signed context: our own backend checks the token — an EdDSA one with the key Switchboard
// publishes under its `kid`, an HS256 one with the app's secret — so what it serves could be
// trusted even though the context itself arrives through the browser.
let verifications = 0;
async function verify(token) {
  const mine = ++verifications;
  const line = $("verified");
  let result;
  try {
    const response = await fetch("api/verify", { method: "POST", body: token });
    result = await response.json();
  } catch {
    result = { verified: false, error: "the app's server could not be reached" };
  }
  if (mine !== verifications) return;
  if (result.verified) {
    const how = result.algorithm === "EdDSA" ? "Switchboard's public key (JWKS)" : "the app's secret";
    line.textContent = `✓ Token verified by this app's server with ${how}: ${result.claims.agent_email} on conversation #${result.claims.conversation_id}`;
    line.title = result.kid ? `Key ${result.kid}` : "";
  } else {
    line.textContent = `✗ Not verified: ${result.error}`;
  }
  document.body.dataset.tokenVerified = String(Boolean(result.verified));
}

/** Shows what an action did; a refusal (e.g. an administrator has not allowed it) in amber. */
function actionOutcome(action, text, error) {
  const line = $("action-status");
  line.textContent = error ? `${text}: ${error.message}` : text;
  line.dataset.outcome = error ? "refused" : "done";
  line.hidden = false;
  document.body.dataset.lastAction = `${action}:${error ? error.code : "ok"}`;
}

function draftText() {
  const contact = shown.contact || {};
  const first = str(contact.name).split(/\s+/)[0];
  const latest = shown.orders[0];
  const greeting = first ? `Hi ${first},` : "Hi,";
  if (!latest) return `${greeting}\n\nThanks for reaching out. I'm looking into this for you now.`;
  const when = dayFormat.format(latest.date);
  return `${greeting}\n\nThanks for your patience. Your order ${latest.number} from ${when} is ${latest.status.toLowerCase()}. I'll keep an eye on it and update you here.`;
}

async function draftReply() {
  try {
    await app.insertReply(draftText());
    actionOutcome("insert-reply", "Draft placed in the reply box — review it before sending");
  } catch (error) {
    actionOutcome("insert-reply", "Could not draft a reply", error);
  }
}

async function tagVip() {
  try {
    await app.addLabel("vip");
    actionOutcome("add-label", "Tagged the conversation VIP");
  } catch (error) {
    actionOutcome("add-label", "Could not tag the conversation", error);
  }
}

// The contact's loyalty standing, from the shop's API through the host's request proxy: the
// shop's key is the app's secret setting `loyalty_api_key`, filled in by Switchboard's server
// (`{{secret.…}}`), so it never reaches this page. A failure says so rather than guessing.
let loyaltyFor = null;

async function loadLoyalty(contact) {
  const email = str(contact && contact.email).toLowerCase();
  const line = $("loyalty");
  if (!email || !app || email === loyaltyFor) return;
  loyaltyFor = email;
  line.dataset.state = "waiting";
  line.textContent = "Loyalty: asking the shop…";
  try {
    const answer = await app.request({
      method: "GET",
      url: `${location.origin}/api/loyalty?email=${encodeURIComponent(email)}`,
      headers: { authorization: "Bearer {{secret.loyalty_api_key}}" },
    });
    if (answer.status !== 200) throw new Error(`the shop answered ${answer.status}`);
    const loyalty = JSON.parse(answer.body);
    line.dataset.state = "loaded";
    line.textContent = `Loyalty: ${str(loyalty.tier)}, ${str(loyalty.points)} points (from the shop's API, key kept by Switchboard)`;
  } catch (error) {
    loyaltyFor = null;
    line.dataset.state = "failed";
    line.textContent = `Loyalty: unavailable (${error && error.message ? error.message : error})`;
  }
}

async function copyOrderNumber(number) {
  let copied = true;
  try {
    await navigator.clipboard.writeText(number);
  } catch {
    // Clipboard access can be refused (permissions, an unfocused frame); say so instead.
    copied = false;
  }
  const text = copied ? `Copied order ${number}` : `Could not copy ${number}; select it by hand`;
  try {
    await app.notify(text, { level: copied ? "success" : "warning" });
    actionOutcome("notify", text);
  } catch (error) {
    actionOutcome("notify", text, error);
  }
}

async function start() {
  document.body.dataset.contextCount = String(contextCount);
  const host = document.documentElement.dataset.switchboard;
  let sdk;
  try {
    // Imported at run time because the Switchboard URL differs per install; an app for one
    // known Switchboard writes `import { connect } from "https://…/sdk/dashboard-app.js"`.
    sdk = await import(new URL("/sdk/dashboard-app.js", host).href);
  } catch {
    $("waiting-hint").textContent = host
      ? `Could not load the Switchboard SDK from ${host}.`
      : "This demo app is not registered in Switchboard, so it cannot load the SDK.";
    return;
  }

  app = sdk.connect();
  app.onContext(onContext);
  $("refresh").addEventListener("click", () => {
    announce("Requesting conversation context…");
    app.refresh().catch(() => announce("No answer from Switchboard."));
  });
  $("draft-reply").addEventListener("click", draftReply);
  $("tag-vip").addEventListener("click", tagVip);
  // In the panel the frame is as tall as the app: the host keeps it within its bounds, and a
  // host that does not resize (Chatwoot) just ignores it.
  app.autoResize();
  app.context().catch((error) => {
    $("waiting-hint").textContent =
      error.code === "not_in_frame"
        ? "Open this app from a conversation in Switchboard to see the contact's orders."
        : "Still waiting. Press Refresh to ask the conversation again.";
  });
}

start();
