// The panel of dashboard apps beside the conversation (`conversation_panel` placement): its
// width, set by dragging its separator or by the keyboard (arrows, Home, End; Enter collapses,
// as WAI-ARIA's window splitter does), and whether it is collapsed — both remembered for the
// signed-in agent in this browser (localStorage, keyed by user id), so every conversation and
// every reload opens it as they left it. The frames are created the first time the panel is
// open (`onOpen`), as a tab's are.

export const MIN_WIDTH = 240;
export const MAX_WIDTH = 720;
const DEFAULT_WIDTH = 360;
/** One arrow press; with Shift, four. */
const STEP = 24;
/** Tells the other mounted conversations' panels that the agent changed theirs. */
const CHANGED = "switchboard:app-panel";

function storageKey(userId) {
  return `switchboard.app-panel.${userId}`;
}

function bounded(width) {
  return Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, width)));
}

/** The agent's remembered panel: `{width, collapsed}`, defaults for anything unreadable. */
export function loadPreference(userId) {
  let saved = null;
  try {
    saved = JSON.parse(localStorage.getItem(storageKey(userId)) || "null");
  } catch {
    saved = null;
  }
  const width = Number.isFinite(saved?.width) ? bounded(saved.width) : DEFAULT_WIDTH;
  return { width, collapsed: saved?.collapsed === true };
}

function savePreference(userId, preference) {
  try {
    localStorage.setItem(storageKey(userId), JSON.stringify(preference));
  } catch {
    // Storage full or refused (a private window): the panel still works, it is just not kept.
  }
  document.dispatchEvent(new CustomEvent(CHANGED, { detail: { userId, preference } }));
}

/**
 * Drives the panel `root` (`.app-side`) for `userId`; `onOpen()` is called the first time the
 * panel is shown open. Returns a function that stops listening for other panels' changes.
 */
export function setupAppPanel(root, { userId, onOpen }) {
  const resizer = root.querySelector(".app-side-resizer");
  const toggle = root.querySelector(".app-side-toggle");
  const body = root.querySelector(".app-side-body");
  let preference = loadPreference(userId);
  let opened = false;

  const apply = () => {
    root.style.setProperty("--app-side-width", `${preference.width}px`);
    root.dataset.width = String(preference.width);
    root.dataset.collapsed = String(preference.collapsed);
    resizer.setAttribute("aria-valuenow", String(preference.width));
    body.hidden = preference.collapsed;
    toggle.setAttribute("aria-expanded", String(!preference.collapsed));
    toggle.setAttribute("aria-label", preference.collapsed ? "Expand the apps panel" : "Collapse the apps panel");
    toggle.textContent = preference.collapsed ? "⇤" : "⇥";
    if (!preference.collapsed && !opened) {
      opened = true;
      onOpen();
    }
  };
  const change = (next) => {
    preference = { ...preference, ...next, width: bounded(next.width ?? preference.width) };
    apply();
    savePreference(userId, preference);
  };

  toggle.addEventListener("click", () => change({ collapsed: !preference.collapsed }));
  resizer.addEventListener("keydown", (event) => {
    const step = event.shiftKey ? STEP * 4 : STEP;
    // The panel is on the right: moving its edge left widens it.
    const widths = {
      ArrowLeft: preference.width + step,
      ArrowRight: preference.width - step,
      Home: MIN_WIDTH,
      End: MAX_WIDTH,
    };
    if (event.key in widths) {
      event.preventDefault();
      change({ width: widths[event.key] });
    } else if (event.key === "Enter") {
      event.preventDefault();
      change({ collapsed: !preference.collapsed });
      toggle.focus();
    }
  });
  resizer.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    const startX = event.clientX;
    const startWidth = preference.width;
    resizer.setPointerCapture(event.pointerId);
    root.dataset.dragging = "true";
    const move = (e) => {
      preference = { ...preference, width: bounded(startWidth + (startX - e.clientX)) };
      apply();
    };
    const end = () => {
      resizer.removeEventListener("pointermove", move);
      resizer.removeEventListener("pointerup", end);
      resizer.removeEventListener("pointercancel", end);
      delete root.dataset.dragging;
      savePreference(userId, preference);
    };
    resizer.addEventListener("pointermove", move);
    resizer.addEventListener("pointerup", end);
    resizer.addEventListener("pointercancel", end);
  });
  const follow = ({ detail }) => {
    if (detail.userId !== userId) return;
    preference = { ...detail.preference };
    apply();
  };
  document.addEventListener(CHANGED, follow);
  apply();
  return () => document.removeEventListener(CHANGED, follow);
}
