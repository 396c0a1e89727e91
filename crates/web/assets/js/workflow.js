// The agent's workflow in the conversation view: status (resolve, reopen, mark pending, snooze
// until a time), assignment (an agent, or me), labels (add, remove), the contact (name, e-mail,
// phone, company, custom attributes: contact-form.js), the conversation's custom
// attributes (custom-attributes.js) and read state, each through the JSON API with the page
// updated from the answer. Live /cable updates stay conversation.js's job: these controls follow
// the status badge and assignee line it rewrites, and re-read the labels when it re-renders the
// thread. Opening the conversation marks it read on the server; this marks it read again when
// contact messages arrive while it is on screen.
//
// conversation.js keeps several conversations mounted and calls setupWorkflow() once per view,
// right after making it the active one (only the active view carries element ids). So every
// element is looked up then, inside that view, and kept: nothing is looked up by id later.

import { errorText, request } from "./api.js";
import { setupConversationAttributes } from "./custom-attributes.js";
import { busy } from "./busy.js";
import { setupContactForm } from "./contact-form.js";
import { toast as notify } from "./toast.js";

const READ_DEBOUNCE_MS = 400;

const body = document.body;

/** `2025-11-25T14:02` (a datetime-local value) for a Date, in local time. */
export function localInputValue(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** ISO-8601 UTC without milliseconds, as `toggle_status` takes `snoozed_until`. */
export function isoUtc(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function localLabel(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

/** When a snooze preset ends: in an hour, tomorrow 9:00, next Monday 9:00. */
function presetDate(preset) {
  const date = new Date();
  date.setSeconds(0, 0);
  if (preset === "hour") {
    date.setHours(date.getHours() + 1);
    return date;
  }
  date.setHours(9, 0, 0, 0);
  if (preset === "tomorrow") date.setDate(date.getDate() + 1);
  if (preset === "week") date.setDate(date.getDate() + (((8 - date.getDay()) % 7) || 7));
  return date;
}

const STATUS_DONE = {
  open: "Conversation reopened",
  resolved: "Conversation resolved",
  pending: "Conversation marked pending",
  snoozed: "Conversation snoozed",
};

function setupStatus(conversationUrl, byId) {
  const badge = byId("conversation-status");
  const group = byId("status-actions");
  const snoozed = byId("snoozed-until");
  const dialog = byId("snooze-dialog");
  const form = byId("snooze-form");
  const input = byId("snooze-until");
  const inputError = byId("snooze-until-error");
  const snoozeButton = byId("snooze-open");
  const snoozeSave = byId("snooze-save");
  if (!badge || !group || !snoozed || !dialog || !form || !input || !snoozeButton || !snoozeSave) return;
  const buttons = [...group.querySelectorAll("[data-status]")];

  const current = () => badge.textContent.trim();
  const sync = () => {
    const status = current();
    for (const button of buttons) button.hidden = button.dataset.status === status;
    if (status !== "snoozed") snoozed.hidden = true;
  };
  const showSnoozedUntil = (iso) => {
    const time = snoozed.querySelector("time");
    time.dateTime = iso;
    time.textContent = localLabel(iso);
    snoozed.hidden = false;
  };
  // The server writes the snooze end in UTC; say it in the agent's time.
  const time = snoozed.querySelector("time");
  if (time && time.dateTime) time.textContent = localLabel(time.dateTime);
  // conversation.js rewrites the badge on live events; the buttons follow it.
  new MutationObserver(sync).observe(badge, { childList: true, characterData: true, subtree: true });

  /** Sets the status; a failure is said by `report` (a notice unless the caller has a place). */
  async function change(status, snoozedUntil, report = (message) => notify(message, "error")) {
    const payload = snoozedUntil ? { status, snoozed_until: snoozedUntil } : { status };
    const result = await busy([...buttons, snoozeButton, snoozeSave], group, () =>
      request("POST", `${conversationUrl}/toggle_status`, payload),
    );
    if (!result.ok) {
      report(errorText(result));
      return false;
    }
    const done = result.data.payload;
    badge.textContent = done.current_status;
    badge.className = `badge badge-${done.current_status}`;
    sync();
    if (done.current_status === "snoozed" && done.snoozed_until) showSnoozedUntil(done.snoozed_until);
    // The pressed button may have just hidden itself: keep focus in the group.
    if (document.activeElement?.hidden || document.activeElement === body) {
      buttons.find((b) => !b.hidden)?.focus();
    }
    notify(STATUS_DONE[done.current_status] || `Status: ${done.current_status}`);
    return true;
  }

  for (const button of buttons) {
    button.addEventListener("click", () => change(button.dataset.status));
  }

  const setInputError = (message) => {
    inputError.textContent = message || "";
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  };
  input.addEventListener("input", () => setInputError(null));
  snoozeButton.addEventListener("click", () => {
    const now = new Date();
    input.min = localInputValue(now);
    if (!input.value) input.value = localInputValue(presetDate("tomorrow"));
    setInputError(null);
    dialog.showModal();
    input.focus();
  });
  dialog.addEventListener("click", (event) => {
    const preset = event.target.closest("[data-snooze-preset]");
    if (preset) {
      input.value = localInputValue(presetDate(preset.dataset.snoozePreset));
      setInputError(null);
      snoozeSave.focus();
    }
    if (event.target.closest('[data-action="cancel"]')) dialog.close();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const until = input.value ? new Date(input.value) : null;
    if (!until || Number.isNaN(until.getTime())) {
      setInputError("Choose a date and time.");
      input.focus();
      return;
    }
    if (until.getTime() <= Date.now()) {
      setInputError("Choose a time in the future.");
      input.focus();
      return;
    }
    setInputError(null);
    // In the dialog, an error belongs beside the field: a notice would sit under the backdrop.
    if (await change("snoozed", isoUtc(until), setInputError)) {
      dialog.close();
      input.value = "";
      snoozeButton.focus();
    }
  });
}

function setupAssignment(conversationUrl, userId, byId, header) {
  const form = byId("assign-form");
  const select = byId("assignee-select");
  const me = byId("assign-me");
  const save = byId("assign-save");
  const line = header?.querySelector(".assignee");
  if (!form || !select || !me || !save || !line) return;

  const show = (agent) => {
    line.textContent = agent ? `Assigned to ${agent.name}` : "Unassigned";
    select.value = agent ? String(agent.id) : "";
    me.hidden = Boolean(agent) && agent.id === userId;
  };
  // A live assignee change rewrites the header line: follow it (by name, all it says).
  new MutationObserver(() => {
    const text = line.textContent.trim();
    const name = text.startsWith("Assigned to ") ? text.slice("Assigned to ".length) : null;
    const option = name ? [...select.options].find((o) => o.value && o.textContent.trim() === name) : null;
    if (!name) select.value = "";
    else if (option) select.value = option.value;
    me.hidden = select.value === String(userId);
  }).observe(line, { childList: true, characterData: true, subtree: true });

  async function assign(id) {
    const result = await busy([select, me, save], form, () =>
      request("POST", `${conversationUrl}/assignments`, { assignee_id: id }),
    );
    if (!result.ok) {
      notify(errorText(result), "error");
      return;
    }
    const agent = result.data;
    show(agent);
    if (document.activeElement === body || document.activeElement?.hidden) select.focus();
    notify(agent ? `Assigned to ${agent.name}` : "Conversation unassigned");
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    assign(select.value ? Number(select.value) : null);
  });
  me.addEventListener("click", () => assign(userId));
}

function setupLabels(conversationUrl, byId) {
  const list = byId("conversation-labels");
  const header = byId("header-labels");
  const empty = byId("labels-empty");
  const form = byId("label-form");
  const select = byId("label-select");
  const add = byId("label-add");
  const thread = byId("thread");
  if (!list || !empty || !form || !select || !add) return;
  const colors = new Map(
    [...select.options].filter((o) => o.value).map((o) => [o.value, o.dataset.color]),
  );
  let labels = [...list.querySelectorAll("[data-label]")].map((chip) => chip.dataset.label);
  let generation = 0;
  let queue = Promise.resolve();

  const paint = (badge, title) => {
    const color = colors.get(title);
    if (color) badge.style.borderLeft = `6px solid ${color}`;
  };
  const chip = (title) => {
    const item = document.createElement("span");
    item.setAttribute("role", "listitem");
    item.className = "label-chip";
    item.dataset.label = title;
    const badge = document.createElement("span");
    badge.className = "badge";
    badge.textContent = title;
    paint(badge, title);
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn btn-sm btn-ghost";
    remove.dataset.removeLabel = title;
    remove.setAttribute("aria-label", `Remove label ${title}`);
    remove.textContent = "×";
    item.append(badge, remove);
    return item;
  };
  const render = (next) => {
    labels = next;
    list.replaceChildren(...next.flatMap((title) => [chip(title), " "]));
    header?.replaceChildren(
      ...next.flatMap((title) => {
        const badge = document.createElement("span");
        badge.className = "badge";
        badge.dataset.label = title;
        badge.textContent = title;
        paint(badge, title);
        return [badge, " "];
      }),
    );
    empty.hidden = next.length > 0;
    for (const option of select.options) option.disabled = Boolean(option.value) && next.includes(option.value);
    if (select.selectedOptions[0]?.disabled) select.value = "";
  };
  for (const badge of [...list.querySelectorAll(".badge"), ...(header?.querySelectorAll(".badge") || [])]) {
    paint(badge, badge.textContent.trim());
  }

  /** Writes the set computed from the current one; writes queue so none is lost. */
  const save = (compute, done) => {
    queue = queue.then(async () => {
      const next = compute(labels);
      generation += 1;
      const result = await busy([select, add], form, () =>
        request("POST", `${conversationUrl}/labels`, { labels: next }),
      );
      generation += 1;
      if (!result.ok) {
        notify(errorText(result), "error");
        return;
      }
      render(result.data.payload);
      notify(done);
    });
    return queue;
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const title = select.value;
    if (!title) {
      notify("Choose a label to add.", "error");
      select.focus();
      return;
    }
    save((current) => (current.includes(title) ? current : [...current, title]), `Label ${title} added`).then(
      () => select.focus(),
    );
  });
  list.addEventListener("click", (event) => {
    const button = event.target.closest("[data-remove-label]");
    if (!button) return;
    const title = button.dataset.removeLabel;
    const index = labels.indexOf(title);
    save((current) => current.filter((l) => l !== title), `Label ${title} removed`).then(() => {
      // Focus the chip that took its place, else the one before, else the label select.
      const buttons = [...list.querySelectorAll("[data-remove-label]")];
      (buttons[index] || buttons[index - 1] || select).focus();
    });
  });

  // conversation.js re-renders the thread after live conversation events: re-read the labels
  // then, unless a write of ours started meanwhile (its answer is newer).
  if (!thread) return;
  new MutationObserver(async () => {
    const mine = generation;
    const result = await request("GET", `${conversationUrl}/labels`);
    if (result.ok && mine === generation && Array.isArray(result.data?.payload)) {
      const next = result.data.payload;
      if (next.join("\n") !== labels.join("\n")) render(next);
    }
  }).observe(thread, { childList: true });
}

/** Marks the conversation read when contact messages arrive while it is on screen: the page
 * visible and this view the active one (a parked view is hidden). */
function setupRead(conversationUrl, byId, center) {
  const thread = byId("thread");
  if (!thread || !center) return;
  const newestIncoming = () =>
    Math.max(0, ...[...thread.querySelectorAll(".message-incoming[data-message-id]")].map((m) => Number(m.dataset.messageId)));
  let read = newestIncoming();
  let timer = null;
  const onScreen = () => !document.hidden && !center.hidden;
  const markRead = async () => {
    timer = null;
    const newest = newestIncoming();
    if (newest <= read || !onScreen()) return;
    const result = await request("POST", `${conversationUrl}/update_last_seen`);
    if (result.ok) read = newest;
  };
  const schedule = () => {
    if (!timer && newestIncoming() > read && onScreen()) timer = setTimeout(markRead, READ_DEBOUNCE_MS);
  };
  new MutationObserver(schedule).observe(thread, { childList: true });
  new MutationObserver(schedule).observe(center, { attributes: true, attributeFilter: ["hidden"] });
  document.addEventListener("visibilitychange", schedule);
}

/** Wires the workflow controls of the active conversation view (call once per view, while it
 * is the active one: its elements are found by id now and kept). */
export function setupWorkflow() {
  const conversationUrl = body.dataset.conversationUrl;
  const contactUrl = body.dataset.contactUrl;
  const center = document.getElementById("thread")?.closest(".conversation-center");
  const aside = document.getElementById("contact-panel");
  if (!conversationUrl || !contactUrl || !center || !aside) return;
  // Only inside this view, so a parked view's elements are never taken for this one's.
  const byId = (id) => {
    const element = document.getElementById(id);
    return element && (center.contains(element) || aside.contains(element)) ? element : null;
  };
  const header = center.querySelector(".conversation-header");
  setupStatus(conversationUrl, byId);
  setupAssignment(conversationUrl, Number(body.dataset.userId), byId, header);
  setupLabels(conversationUrl, byId);
  const displayId = body.dataset.displayId;
  setupContactForm(contactUrl, Number(body.dataset.contactId), byId, (name, panel) => {
    const title = header?.querySelector(".contact-title-name");
    if (title) title.textContent = name;
    if (!panel.hidden) document.title = `${name} · #${displayId} · Switchboard`;
  });
  setupConversationAttributes(conversationUrl, byId);
  setupRead(conversationUrl, byId, center);
  body.dataset.workflow = "ready";
}
