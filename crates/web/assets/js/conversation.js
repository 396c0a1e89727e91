// The conversation view: tabs (Messages + one per dashboard app, frames created on first open
// and kept), the reply box (reply or private note, `/` offers canned responses, Ctrl/⌘+Enter
// sends), live updates, and switching conversations in place.
//
// Switching keeps the last KEEP conversations mounted (hidden), so their app frames keep their
// state and switching back is instant, as apps that act only on their first context need a
// frame per conversation (Chatwoot reloads it). Only the active view carries its element ids —
// a hidden view parks them in data-sid — so id lookups always find the active conversation.

import { AppBridge } from "./app-bridge.js";
import { setupAppPanel } from "./app-panel.js";
import { proxyThrough } from "./app-requests.js";
import { openAction, serverActions } from "./app-host-actions.js";
import { errorText, request } from "./api.js";
import { setupCannedResponses } from "./canned-responses.js";
import { setupAttachments } from "./reply-attachments.js";
import { Cable } from "./cable.js";
import { liveList } from "./live-list.js";
import { toast } from "./toast.js";
import { setupWorkflow } from "./workflow.js";

const body = document.body;
/** Conversations kept mounted, the active one included. */
const KEEP = 3;
/** displayId → view, least recently shown first. */
const views = new Map();
let active = null;

/** An element of a view by its id, whether the view is active or parked. */
function byId(view, id) {
  return view.center.querySelector(`#${id}, [data-sid="${id}"]`) ||
    view.contact.querySelector(`#${id}, [data-sid="${id}"]`);
}

function mount(center, contact, data) {
  const view = {
    displayId: Number(data.displayId),
    contactId: Number(data.contactId),
    /** Whether the contact is online: as the page was rendered, then as `presence.update` says. */
    online: data.contactAvailability === "online",
    center,
    contact,
    data,
    threadGeneration: 0,
  };
  view.bridge = new AppBridge(data.contextUrl, {
    actions: {
      "insert-reply": ({ text }) => insertReply(view, text),
      "replace-reply": ({ text }) => insertReply(view, text, { replace: true }),
      notify: ({ text, level }, app) => showNotice(view, text, level, app),
      open: openAction(body.dataset.accountId, (url) => {
        if (url.includes("/conversations/")) switchTo(url);
        else location.assign(url);
      }),
      ...serverActions(data.appActionsUrl),
    },
    proxyRequest: proxyThrough(body.dataset.accountId, Number(data.displayId)),
  });
  setupTabs(view);
  setupPanel(view);
  setupReply(view);
  const thread = byId(view, "thread");
  thread.scrollTop = thread.scrollHeight;
  return view;
}

function setupTabs(view) {
  const tablist = view.center.querySelector('[role="tablist"]');
  if (!tablist) return;
  const tabs = [...tablist.querySelectorAll('[role="tab"]')];
  const panelOf = (tab) => byId(view, tab.getAttribute("aria-controls"));
  const select = (tab) => {
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      panelOf(other).hidden = !selected;
    }
    const panel = panelOf(tab);
    if (panel.dataset.frames && !panel.dataset.created) openApp(view, panel);
  };
  tablist.addEventListener("click", (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (tab) select(tab);
  });
  tablist.addEventListener("keydown", (event) => {
    const index = tabs.indexOf(document.activeElement);
    if (index < 0) return;
    let next = null;
    if (event.key === "ArrowRight") next = tabs[(index + 1) % tabs.length];
    if (event.key === "ArrowLeft") next = tabs[(index - 1 + tabs.length) % tabs.length];
    if (event.key === "Home") next = tabs[0];
    if (event.key === "End") next = tabs[tabs.length - 1];
    if (next) {
      event.preventDefault();
      next.focus();
      select(next);
    }
  });
}

/** Creates every frame of an app, stacked, the first time its tab opens. */
function openApp(view, panel) {
  panel.dataset.created = "true";
  panel.replaceChildren();
  createFrames(view, panel, "conversation_tab");
}

/** Creates the frames of the app `holder` describes (its `data-frames` …) inside it. */
function createFrames(view, holder, placement) {
  const frames = JSON.parse(holder.dataset.frames);
  frames.forEach((frame, index) => {
    const title = frames.length > 1 ? `${holder.dataset.appTitle} (${index + 1})` : holder.dataset.appTitle;
    const allowedActions = (holder.dataset.allowedActions || "").split(" ").filter(Boolean);
    const iframe = view.bridge.createFrame(holder, frame, title, holder.dataset.appId, { allowedActions });
    iframe.dataset.appId = holder.dataset.appId;
    iframe.dataset.frameIndex = String(index);
    iframe.dataset.conversation = String(view.displayId);
    iframe.dataset.placement = placement;
  });
}

/** The panel of apps beside the conversation, if any app is placed there: sized and
 * collapsed as the agent left it, its frames made the first time it is open. */
function setupPanel(view) {
  const root = view.center.querySelector(".app-side");
  if (!root) return;
  view.stopPanel = setupAppPanel(root, {
    userId: body.dataset.userId,
    onOpen: () => {
      for (const section of root.querySelectorAll(".app-side-app")) {
        createFrames(view, section, "conversation_panel");
      }
    },
  });
}

/** An app's reply draft goes into the view's reply box for the agent to review: never sent from
 * here. What the agent already typed stays, above the draft — unless the app `replace`s it. */
function insertReply(view, text, { replace = false } = {}) {
  const form = byId(view, "reply-form");
  const textarea = form && form.querySelector("textarea");
  if (!textarea) throw new Error("this conversation has no reply box");
  form.querySelector('.reply-mode [data-mode="reply"]')?.click();
  textarea.value = !replace && textarea.value.trim() ? `${textarea.value.trimEnd()}\n\n${text}` : text;
  byId(view, "tab-messages")?.click();
  textarea.focus();
  textarea.setSelectionRange(textarea.value.length, textarea.value.length);
}

/** An app's notice, shown only while its conversation is on screen, named after the app. */
function showNotice(view, text, level = "info", app) {
  if (view !== active) throw new Error("the conversation is not on screen");
  toast(text, level, { source: app.title });
}

/** Re-renders a view's thread from the server; the newest response wins. */
async function refreshThread(view) {
  const mine = ++view.threadGeneration;
  const response = await fetch(view.data.threadUrl, { credentials: "same-origin" });
  if (!response.ok || mine !== view.threadGeneration) return;
  const html = await response.text();
  if (mine !== view.threadGeneration) return;
  const thread = byId(view, "thread");
  thread.innerHTML = html;
  thread.scrollTop = thread.scrollHeight;
  if (view === active) body.dataset.threadVersion = String(mine);
}

function setupReply(view) {
  const form = byId(view, "reply-form");
  if (!form) return;
  const textarea = form.querySelector("textarea");
  const error = byId(view, "reply-error");
  const modeButtons = [...form.querySelectorAll(".reply-mode [data-mode]")];
  for (const button of modeButtons) {
    button.addEventListener("click", () => {
      form.dataset.mode = button.dataset.mode;
      for (const other of modeButtons) other.setAttribute("aria-pressed", String(other === button));
      textarea.placeholder = button.dataset.mode === "note"
        ? "Write a private note, only agents see it… (/ for canned responses, Ctrl+Enter to send)"
        : "Write a reply… (/ for canned responses, Ctrl+Enter to send)";
      textarea.focus();
    });
  }
  setupCannedResponses(textarea, (id) => byId(view, id));
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  const attachments = setupAttachments(form, {
    input: byId(view, "reply-files"),
    attach: byId(view, "reply-attach"),
    list: byId(view, "reply-attachments"),
    progress: byId(view, "reply-progress"),
    textarea,
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const content = textarea.value.trim();
    if (!content && attachments.count() === 0) {
      error.textContent = "Write something or attach a file first.";
      return;
    }
    error.textContent = "";
    const send = form.querySelector('[type="submit"]');
    send.disabled = true;
    const fields = {
      content,
      message_type: "outgoing",
      private: form.dataset.mode === "note",
    };
    const result = attachments.count() > 0
      ? await attachments.send(view.data.messagesUrl, fields)
      : await request("POST", view.data.messagesUrl, fields);
    send.disabled = false;
    if (!result.ok) {
      error.textContent = errorText(result);
      return;
    }
    textarea.value = "";
    attachments.clear();
    await refreshThread(view);
  });
}

/** Whether a /cable event concerns the view's conversation. */
function concerns(view, { name, data }) {
  if (name.startsWith("message.")) return data.conversation_id === view.displayId;
  if (name.startsWith("conversation.") || name === "assignee.changed") return data.id === view.displayId;
  if (name === "contact.updated") return data.id === view.contactId;
  // The contact came online or went offline: its `availability_status` changed.
  if (name === "presence.update") return view.online !== isOnline(view, data);
  // Account-wide: every open conversation's apps get the new definitions.
  if (name === "custom_attribute_definitions.changed") return true;
  return false;
}

/** Whether an agent's `presence.update` (`data.contacts` keyed by id) lists the view's contact
 * as online. */
function isOnline(view, data) {
  return Object.hasOwn(data.contacts, String(view.contactId));
}

/** The contact's availability dot in the header, as `view.online` says. */
function applyPresence(view) {
  const status = view.online ? "online" : "offline";
  view.data.contactAvailability = status;
  if (view === active) body.dataset.contactAvailability = status;
  const dot = view.center.querySelector(".contact-presence");
  if (!dot) return;
  dot.dataset.presence = status;
  dot.title = view.online ? "Online" : "Offline";
  dot.setAttribute("aria-label", `Contact ${status}`);
}

function applyConversation(view, data) {
  const status = byId(view, "conversation-status");
  if (status && typeof data.status === "string") {
    status.textContent = data.status;
    status.className = `badge badge-${data.status}`;
  }
  const assignee = view.center.querySelector(".conversation-header .assignee");
  if (assignee && data.meta) {
    assignee.textContent = data.meta.assignee ? `Assigned to ${data.meta.assignee.name}` : "Unassigned";
  }
}

function setupLive() {
  const cable = new Cable(body.dataset.pubsubToken);
  liveList(cable, () => active && active.displayId);
  cable.addEventListener("event", ({ detail }) => {
    if (detail.name.startsWith("conversation.typing")) return;
    // Only an agent's copy lists contacts; the page follows its own account.
    if (detail.name === "presence.update" &&
      (!detail.data.contacts || String(detail.data.account_id) !== body.dataset.accountId)) return;
    for (const view of views.values()) {
      if (!concerns(view, detail)) continue;
      if (detail.name === "presence.update") {
        view.online = !view.online;
        applyPresence(view);
      }
      if (detail.name.startsWith("message.")) refreshThread(view);
      if (detail.name.startsWith("conversation.") || detail.name === "assignee.changed") {
        applyConversation(view, detail.data);
        refreshThread(view);
        view.contact.dispatchEvent(new CustomEvent("conversation:updated", { detail: detail.data }));
      }
      if (detail.name === "contact.updated") {
        view.contact.dispatchEvent(new CustomEvent("contact:updated", { detail: detail.data }));
      }
      view.bridge.push(detail.name);
    }
  });
  cable.addEventListener("resync", () => {
    for (const view of views.values()) {
      refreshThread(view);
      view.bridge.push("resync");
    }
  });
}

function park(view) {
  for (const part of [view.center, view.contact]) {
    part.hidden = true;
    for (const element of part.querySelectorAll("[id]")) {
      element.dataset.sid = element.id;
      element.removeAttribute("id");
    }
  }
}

function show(view) {
  for (const part of [view.center, view.contact]) {
    for (const element of part.querySelectorAll("[data-sid]")) {
      element.id = element.dataset.sid;
      delete element.dataset.sid;
    }
    part.hidden = false;
  }
  Object.assign(body.dataset, view.data);
  if (view.title) document.title = view.title;
  views.delete(view.displayId);
  views.set(view.displayId, view);
  active = view;
}

/** Shows the conversation at `href` in place; falls back to a normal navigation. */
async function switchTo(href, { push = true } = {}) {
  const url = new URL(href, location.href);
  const displayId = Number(url.pathname.split("/").pop());
  if (!displayId || (active && displayId === active.displayId)) return;
  let view = views.get(displayId);
  let fresh = false;
  if (!view) {
    const response = await fetch(url, { credentials: "same-origin" }).catch(() => null);
    const html = response && response.ok ? await response.text() : null;
    const doc = html && new DOMParser().parseFromString(html, "text/html");
    const center = doc && doc.querySelector("section.conversation-center");
    const contact = doc && doc.querySelector("aside.contact-panel");
    if (!center || !contact) {
      location.assign(url);
      return;
    }
    // A hidden view keeps no ids; the newcomer's ids must not clash while both are mounted.
    park(active);
    const layout = document.querySelector(".conversation-layout");
    const newCenter = document.importNode(center, true);
    const newContact = document.importNode(contact, true);
    newCenter.hidden = true;
    newContact.hidden = true;
    layout.append(newCenter, newContact);
    view = mount(newCenter, newContact, { ...doc.body.dataset });
    view.title = doc.title;
    fresh = true;
  } else {
    park(active);
  }
  show(view);
  if (fresh) setupWorkflow();
  if (push) history.pushState({ displayId }, "", url);
  evict();
  for (const row of document.querySelectorAll(".conversation-row")) {
    if (Number(row.dataset.displayId) === displayId) row.setAttribute("aria-current", "page");
    else row.removeAttribute("aria-current");
  }
  body.dataset.conversation = String(displayId);
}

/** Unmounts the least recently shown conversations beyond KEEP (their frames end). */
function evict() {
  while (views.size > KEEP) {
    const [oldest] = views.values();
    views.delete(oldest.displayId);
    oldest.bridge.close();
    oldest.stopPanel?.();
    oldest.center.remove();
    oldest.contact.remove();
  }
}

function setupSwitching() {
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a.conversation-row");
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    switchTo(link.href);
  });
  window.addEventListener("popstate", () => switchTo(location.href, { push: false }));
}

const first = mount(
  document.querySelector("section.conversation-center"),
  document.querySelector("aside.contact-panel"),
  { ...body.dataset },
);
first.title = document.title;
show(first);
setupLive();
setupSwitching();
setupWorkflow();
body.dataset.conversation = String(first.displayId);
body.dataset.ready = "true";
