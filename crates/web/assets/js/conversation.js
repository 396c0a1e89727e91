// The conversation view: tabs (Messages + one per dashboard app, frames created on first open
// and kept), the reply box (reply or private note, Ctrl/⌘+Enter sends) and thread refresh.

import { AppBridge } from "./app-bridge.js";
import { errorText, request } from "./api.js";

const body = document.body;
const bridge = new AppBridge(body.dataset.contextUrl);

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

async function refreshThread() {
  const response = await fetch(body.dataset.threadUrl, { credentials: "same-origin" });
  if (!response.ok) return;
  const thread = document.getElementById("thread");
  thread.innerHTML = await response.text();
  thread.scrollTop = thread.scrollHeight;
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

setupTabs();
setupReply();
body.dataset.ready = "true";
