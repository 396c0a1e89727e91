// The contact page: the details and their edit form (contact-form.js), notes (add, edit in
// place, delete) through the notes API, deleting the contact (administrators), and live
// updates: `contact.updated` for this contact over /cable re-renders the details.

import { errorText, request } from "./api.js";
import { busy } from "./busy.js";
import { Cable } from "./cable.js";
import { setupContactApps } from "./contact-apps.js";
import { setupContactForm } from "./contact-form.js";
import { toast as notify } from "./toast.js";

const body = document.body;
const byId = (id) => document.getElementById(id);
const contactId = Number(body.dataset.contactId);
const contactUrl = body.dataset.contactUrl;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "Nov 25, 14:02 UTC", as the server labels times. */
function timeLabel(epoch) {
  const t = new Date(epoch * 1000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${MONTHS[t.getUTCMonth()]} ${t.getUTCDate()}, ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())} UTC`;
}

function setupDetails() {
  setupContactForm(contactUrl, contactId, byId, (name) => {
    byId("contact-title").textContent = name;
    document.title = `${name} · Contacts · Switchboard`;
  });
}

function setupLive(apps) {
  const cable = new Cable(body.dataset.pubsubToken);
  const panel = byId("contact-panel");
  // Whether the contact is online: as the page was rendered, then as `presence.update` says.
  let online = body.dataset.contactAvailability === "online";
  cable.addEventListener("event", ({ detail }) => {
    // An agent's copy lists the account's online contacts: the apps hear when this one comes or goes.
    if (detail.name === "presence.update" && detail.data.contacts && String(detail.data.account_id) === body.dataset.accountId) {
      const now = Object.hasOwn(detail.data.contacts, String(contactId));
      if (now !== online) {
        online = now;
        body.dataset.contactAvailability = now ? "online" : "offline";
        apps?.push(detail.name);
      }
    }
    if (detail.name === "contact.updated" && detail.data.id === contactId) {
      panel.dispatchEvent(new CustomEvent("contact:updated", { detail: detail.data }));
      // The contact's apps get a fresh context, as conversation apps do.
      apps?.push(detail.name);
    }
    // So they do when one of the contact's conversations changes (its status, its assignee …).
    const aboutConversation = detail.name.startsWith("conversation.") || detail.name === "assignee.changed";
    if (aboutConversation && !detail.name.startsWith("conversation.typing") && detail.data?.meta?.sender?.id === contactId) {
      apps?.push(detail.name);
    }
  });
  // Events may have been missed: read the contact again.
  cable.addEventListener("resync", async () => {
    const result = await request("GET", `${contactUrl}?include_contact_inboxes=false`);
    if (result.ok) panel.dispatchEvent(new CustomEvent("contact:updated", { detail: result.data.payload }));
  });
}

function setupNotes() {
  const section = byId("contact-notes");
  const form = byId("note-form");
  const textarea = byId("note-content");
  const error = byId("note-content-error");
  const add = byId("note-add");
  const list = byId("notes-list");
  const empty = byId("notes-empty");
  if (!section || !form || !textarea || !list) return;
  const notesUrl = section.dataset.notesUrl;

  const setError = (slot, field, message) => {
    slot.textContent = message || "";
    if (message) field.setAttribute("aria-invalid", "true");
    else field.removeAttribute("aria-invalid");
  };

  const item = (note, index) => {
    const li = document.createElement("li");
    li.className = "note";
    li.dataset.noteId = String(note.id);
    const content = document.createElement("p");
    content.className = "note-content";
    content.textContent = note.content;
    const meta = document.createElement("p");
    meta.className = "muted note-meta";
    const author = note.user?.available_name || note.user?.name;
    meta.textContent = `${author ? `${author} · ` : ""}${timeLabel(note.created_at)}`;
    const actions = document.createElement("div");
    actions.className = "form-actions";
    for (const [action, label, extra] of [["edit", "Edit", ""], ["delete", "Delete", " btn-danger"]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = `btn btn-sm${extra}`;
      button.dataset.noteAction = action;
      button.setAttribute("aria-label", `${label} note ${index + 1}`);
      button.textContent = label;
      actions.append(button);
    }
    li.append(content, meta, actions);
    return li;
  };

  /** Re-reads the notes and renders them; `focus` picks what gets focus afterwards. */
  const reload = async (focus) => {
    const result = await request("GET", notesUrl);
    if (!result.ok || !Array.isArray(result.data)) {
      notify(errorText(result), "error");
      return;
    }
    list.replaceChildren(...result.data.map(item));
    empty.hidden = result.data.length > 0;
    focus?.();
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    setError(error, textarea, "");
    if (!textarea.value.trim()) {
      setError(error, textarea, "Write the note first.");
      textarea.focus();
      return;
    }
    const result = await busy([add], form, () => request("POST", notesUrl, { content: textarea.value }));
    if (!result.ok) {
      setError(error, textarea, errorText(result));
      textarea.focus();
      return;
    }
    textarea.value = "";
    await reload(() => textarea.focus());
    notify("Note added");
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  /** Turns a note into a labelled textarea with Save and Cancel. */
  const edit = (li) => {
    const id = li.dataset.noteId;
    const content = li.querySelector(".note-content");
    const actions = li.querySelector(".form-actions");
    const editor = document.createElement("form");
    editor.className = "note-editor";
    editor.noValidate = true;
    const label = document.createElement("label");
    label.htmlFor = `note-edit-${id}`;
    label.className = "sr-only";
    label.textContent = "Note";
    const area = document.createElement("textarea");
    area.id = `note-edit-${id}`;
    area.rows = 3;
    area.value = content.textContent;
    const slot = document.createElement("div");
    slot.className = "field-error";
    slot.id = `note-edit-${id}-error`;
    slot.setAttribute("aria-live", "polite");
    area.setAttribute("aria-describedby", slot.id);
    const buttons = document.createElement("div");
    buttons.className = "form-actions";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "btn btn-sm btn-ghost";
    cancel.textContent = "Cancel";
    const save = document.createElement("button");
    save.type = "submit";
    save.className = "btn btn-sm btn-primary";
    save.textContent = "Save note";
    buttons.append(cancel, save);
    editor.append(label, area, slot, buttons);
    content.hidden = true;
    actions.hidden = true;
    li.append(editor);
    area.focus();
    const close = () => {
      editor.remove();
      content.hidden = false;
      actions.hidden = false;
      actions.querySelector('[data-note-action="edit"]').focus();
    };
    cancel.addEventListener("click", close);
    editor.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    editor.addEventListener("submit", async (event) => {
      event.preventDefault();
      setError(slot, area, "");
      const result = await busy([save, cancel], editor, () =>
        request("PATCH", `${notesUrl}/${id}`, { content: area.value }),
      );
      if (!result.ok) {
        setError(slot, area, errorText(result));
        area.focus();
        return;
      }
      await reload(() => list.querySelector(`[data-note-id="${id}"] [data-note-action="edit"]`)?.focus());
      notify("Note saved");
    });
  };

  const remove = async (li) => {
    const id = li.dataset.noteId;
    const next = li.nextElementSibling?.dataset.noteId || li.previousElementSibling?.dataset.noteId;
    const buttons = [...li.querySelectorAll("button")];
    const result = await busy(buttons, li, () => request("DELETE", `${notesUrl}/${id}`));
    if (!result.ok) {
      notify(errorText(result), "error");
      return;
    }
    await reload(() => {
      const target = next && list.querySelector(`[data-note-id="${next}"] [data-note-action="delete"]`);
      (target || textarea).focus();
    });
    notify("Note deleted");
  };

  list.addEventListener("click", (event) => {
    const button = event.target.closest("[data-note-action]");
    if (!button) return;
    const li = button.closest(".note");
    if (button.dataset.noteAction === "edit") edit(li);
    else remove(li);
  });
}

function setupDelete() {
  const open = byId("contact-delete");
  const dialog = byId("contact-delete-dialog");
  const confirm = byId("contact-delete-confirm");
  const error = byId("contact-delete-error");
  if (!open || !dialog || !confirm) return;
  open.addEventListener("click", () => {
    error.hidden = true;
    dialog.showModal();
  });
  dialog.querySelector('[data-action="cancel"]').addEventListener("click", () => dialog.close());
  confirm.addEventListener("click", async () => {
    const result = await busy([confirm], dialog, () => request("DELETE", contactUrl));
    if (!result.ok) {
      error.textContent = errorText(result);
      error.hidden = false;
      return;
    }
    location.assign(body.dataset.contactsUrl);
  });
}

setupDetails();
setupNotes();
setupDelete();
const apps = setupContactApps({ accountId: body.dataset.accountId, contextUrl: body.dataset.appContextUrl });
setupLive(apps);
body.dataset.ready = "true";
