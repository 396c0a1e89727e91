// The conversation view: tabs (Messages + one per dashboard app, frames created on first open
// and kept), the reply box (reply or private note, Ctrl/⌘+Enter sends) and thread refresh.

import { AppBridge } from "./app-bridge.js";
import { errorText, request } from "./api.js";
import { Cable } from "./cable.js";
import { liveList } from "./live-list.js";

const body = document.body;
const bridge = new AppBridge(body.dataset.contextUrl);
const displayId = Number(body.dataset.displayId);
const contactId = Number(body.dataset.contactId);

function setupTabs() {
  const tablist = document.getElementById("conversation-tabs");
  if (!tablist) return;
  const tabs = [...tablist.querySelectorAll('[role="tab"]')];
  const select = (tab) => {
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
    }
    const panel = document.getElementById(tab.getAttribute("aria-controls"));
    if (panel.dataset.frames && !panel.dataset.created) openApp(panel);
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
function openApp(panel) {
  panel.dataset.created = "true";
  panel.replaceChildren();
  const frames = JSON.parse(panel.dataset.frames);
  frames.forEach((frame, index) => {
    const title = frames.length > 1 ? `${panel.dataset.appTitle} (${index + 1})` : panel.dataset.appTitle;
    const iframe = bridge.createFrame(panel, frame, title);
    iframe.dataset.appId = panel.dataset.appId;
    iframe.dataset.frameIndex = String(index);
  });
}

let threadGeneration = 0;

/** Re-renders the thread from the server; the newest response wins. */
async function refreshThread() {
  const mine = ++threadGeneration;
  const response = await fetch(body.dataset.threadUrl, { credentials: "same-origin" });
  if (!response.ok || mine !== threadGeneration) return;
  const html = await response.text();
  if (mine !== threadGeneration) return;
  const thread = document.getElementById("thread");
  thread.innerHTML = html;
  thread.scrollTop = thread.scrollHeight;
  body.dataset.threadVersion = String(mine);
}

function setupReply() {
  const form = document.getElementById("reply-form");
  if (!form) return;
  const textarea = form.querySelector("textarea");
  const error = document.getElementById("reply-error");
  const modeButtons = [...form.querySelectorAll(".reply-mode [data-mode]")];
  for (const button of modeButtons) {
    button.addEventListener("click", () => {
      form.dataset.mode = button.dataset.mode;
      for (const other of modeButtons) other.setAttribute("aria-pressed", String(other === button));
      textarea.placeholder = button.dataset.mode === "note"
        ? "Write a private note, only agents see it… (Ctrl+Enter to send)"
        : "Write a reply… (Ctrl+Enter to send)";
      textarea.focus();
    });
  }
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const content = textarea.value.trim();
    if (!content) {
      error.textContent = "Write something first.";
      return;
    }
    error.textContent = "";
    const send = form.querySelector('[type="submit"]');
    send.disabled = true;
    const result = await request("POST", body.dataset.messagesUrl, {
      content,
      message_type: "outgoing",
      private: form.dataset.mode === "note",
    });
    send.disabled = false;
    if (!result.ok) {
      error.textContent = errorText(result);
      return;
    }
    textarea.value = "";
    await refreshThread();
  });
  const thread = document.getElementById("thread");
  thread.scrollTop = thread.scrollHeight;
}

/** Whether a /cable event concerns the open conversation. */
function concernsThisConversation({ name, data }) {
  if (name.startsWith("message.")) return data.conversation_id === displayId;
  if (name.startsWith("conversation.") || name === "assignee.changed") return data.id === displayId;
  if (name === "contact.updated") return data.id === contactId;
  return false;
}

function applyConversation(data) {
  const status = document.getElementById("conversation-status");
  if (status && typeof data.status === "string") {
    status.textContent = data.status;
    status.className = `badge badge-${data.status}`;
  }
  const assignee = document.querySelector(".conversation-header .assignee");
  if (assignee && data.meta) {
    assignee.textContent = data.meta.assignee ? `Assigned to ${data.meta.assignee.name}` : "Unassigned";
  }
}

function setupLive() {
  const cable = new Cable(body.dataset.pubsubToken);
  liveList(cable, displayId);
  cable.addEventListener("event", ({ detail }) => {
    if (!concernsThisConversation(detail)) return;
    if (detail.name.startsWith("message.")) refreshThread();
    if (detail.name.startsWith("conversation.") || detail.name === "assignee.changed") {
      applyConversation(detail.data);
      refreshThread();
    }
    bridge.push(detail.name);
  });
  cable.addEventListener("resync", () => {
    refreshThread();
    bridge.push("resync");
  });
}

setupTabs();
setupReply();
setupLive();
body.dataset.ready = "true";
