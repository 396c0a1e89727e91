// Settings › Inboxes, Agents, Teams, Labels, Canned responses and Custom attributes: a table of
// rows, an add/edit dialog whose inputs are named after the API's attributes, and a delete
// confirmation naming the row. #resource-page says which endpoint and body key to use; each row
// carries its values as JSON (data-values). Talks to the JSON API; a 422 is shown beside the
// field its `attributes` names; success reloads.
// A fieldset with data-members-endpoint (a team's or an inbox's agents) is not part of that
// body: once the resource is saved, its checked `user_ids` replace the members with one PATCH to
// that endpoint (`{id}` filled in; data-members-id-key names the body key carrying the id).
//
// Inputs may say more: `data-create-only` (left out when editing), `data-list="lines"` (a
// textarea holding an array, one item a line) and `data-show-when="<name>=<value>"` (shown and
// sent only while the input <name> has that value), `data-nest="<key>"` (sent inside the object
// <key> of the body, as Chatwoot nests an inbox's channel settings under `channel`), `data-json`
// (a hidden textarea holding JSON that a page's own script edits; it hears `change` when the
// form fills it).

import { errorText, request } from "./api.js";

const page = document.getElementById("resource-page");
const endpoint = page.dataset.endpoint;
const key = page.dataset.key;
const dialog = document.getElementById("resource-dialog");
const form = document.getElementById("resource-form");
const formError = document.getElementById("resource-form-error");
const deleteDialog = document.getElementById("delete-dialog");
const deleteError = document.getElementById("delete-error");
const inputs = [...form.elements].filter((element) => element.name);
const membersGroup = form.querySelector("[data-members-endpoint]");
const inMembers = (input) => Boolean(membersGroup && membersGroup.contains(input));
let editing = null;
// The id the form saves to: the edited row's, or the resource just created when only its
// members failed (so a retry updates it rather than creating another).
let savedId = null;
let deleting = null;

/** "Delete “{name}”?" with the row's name put in (as text, never as markup). */
const named = (template, name) => template.replaceAll("{name}", name);

function setFieldError(input, message) {
  const slot = inMembers(input)
    ? membersGroup.querySelector(".field-error")
    : document.getElementById(`${input.id}-error`);
  if (slot) slot.textContent = message || "";
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

function showNotice(notice, message) {
  notice.textContent = message || "";
  notice.hidden = !message;
}

/** Whether a `data-show-when="name=value"` input applies to what the form now says. */
function applies(input) {
  const rule = input.dataset.showWhen;
  if (!rule) return true;
  const [name, value] = rule.split("=");
  return inputs.find((other) => other.name === name)?.value === value;
}

/** Shows, and enables for sending, the inputs that belong in the form as it stands. */
function arrange() {
  for (const input of inputs) {
    // Attributes the API sets only on create (an agent's e-mail and password) leave the form.
    const skip = (Boolean(editing) && input.hasAttribute("data-create-only")) || !applies(input);
    input.closest(".form-field").hidden = skip;
    input.disabled = skip;
  }
}

function openForm(row) {
  editing = row;
  savedId = row ? row.dataset.id : null;
  const values = row ? JSON.parse(row.dataset.values) : {};
  document.getElementById("resource-dialog-title").textContent = row
    ? named(form.dataset.editTitle, row.dataset.name)
    : form.dataset.addTitle;
  for (const input of inputs) {
    const value = row ? values[input.name] : undefined;
    if (inMembers(input)) input.checked = Array.isArray(value) && value.includes(Number(input.value));
    else if (input.type === "checkbox") input.checked = value === undefined ? input.defaultChecked : Boolean(value);
    else if (input.tagName === "SELECT") input.value = value ?? [...input.options].find((o) => o.defaultSelected)?.value ?? "";
    else if (input.dataset.list === "lines") input.value = (value || []).join("\n");
    else if ("json" in input.dataset) {
      input.value = value === undefined ? "" : JSON.stringify(value);
      input.dispatchEvent(new Event("change"));
    }
    else input.value = value ?? input.defaultValue;
    setFieldError(input, null);
  }
  arrange();
  showNotice(formError, null);
  dialog.showModal();
  inputs.find((input) => !input.disabled)?.focus();
}

form.addEventListener("change", (event) => {
  if (event.target.tagName === "SELECT") arrange();
});

/** The browser's own checks (required, type, length, pattern), worded by the page when it can. */
function problemOf(input) {
  if (input.disabled || input.checkValidity()) return null;
  if (input.validity.patternMismatch && input.dataset.patternMessage) return input.dataset.patternMessage;
  return input.validationMessage;
}

function body() {
  const values = {};
  for (const input of inputs) {
    if (input.disabled || inMembers(input)) continue;
    const nest = input.dataset.nest;
    const into = nest ? (values[nest] = values[nest] || {}) : values;
    if (input.type === "checkbox") into[input.name] = input.checked;
    else if (input.dataset.list === "lines") {
      into[input.name] = input.value.split("\n").map((line) => line.trim()).filter(Boolean);
    } else if ("json" in input.dataset) {
      if (input.value.trim()) into[input.name] = JSON.parse(input.value);
    } else if (input.type === "password") {
      if (input.value) into[input.name] = input.value;
    } else into[input.name] = input.value.trim();
  }
  return values;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  let first = null;
  for (const input of inputs) {
    const problem = problemOf(input);
    setFieldError(input, problem);
    if (problem && !first) first = input;
  }
  showNotice(formError, null);
  if (first) {
    first.focus();
    return;
  }
  const save = document.getElementById("resource-save");
  save.disabled = true;
  const result = savedId
    ? await request("PATCH", `${endpoint}/${savedId}`, { [key]: body() })
    : await request("POST", endpoint, { [key]: body() });
  if (result.ok) savedId = savedId ?? idOf(result.data);
  const members = result.ok && membersGroup ? await saveMembers(savedId) : result;
  save.disabled = false;
  for (const failed of [result, members]) {
    if (failed.ok) continue;
    const attributes = (failed.data && failed.data.attributes) || [];
    const input = inputs.find((i) => !i.disabled && attributes.includes(i.name));
    if (input) {
      setFieldError(input, errorText(failed));
      input.focus();
    } else showNotice(formError, errorText(failed));
    return;
  }
  dialog.close();
  window.location.reload();
});

/** The id of a resource as a create answers it (bare, or in Chatwoot's `payload`). */
function idOf(data) {
  return data && (data.id ?? (data.payload && data.payload.id));
}

/** Replaces the saved resource's members with the checked agents. */
async function saveMembers(id) {
  const userIds = inputs.filter((i) => inMembers(i) && i.checked).map((i) => Number(i.value));
  const members = { user_ids: userIds };
  const idKey = membersGroup.dataset.membersIdKey;
  if (idKey) members[idKey] = Number(id);
  return request("PATCH", membersGroup.dataset.membersEndpoint.replace("{id}", id), members);
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action]");
  if (!button) return;
  const row = button.closest("tr[data-id]");
  const action = button.dataset.action;
  if (action === "add") openForm(null);
  if (action === "edit" && row) openForm(row);
  if (action === "cancel") button.closest("dialog").close();
  if (action === "delete" && row) {
    deleting = row;
    document.getElementById("delete-dialog-title").textContent = named(page.dataset.deleteTitle, row.dataset.name);
    document.getElementById("delete-dialog-text").textContent = named(page.dataset.deleteText, row.dataset.name);
    showNotice(deleteError, null);
    deleteDialog.showModal();
  }
});

const deleteConfirm = document.getElementById("delete-confirm");
deleteConfirm.addEventListener("click", async () => {
  if (!deleting) return;
  deleteConfirm.disabled = true;
  const result = await request("DELETE", `${endpoint}/${deleting.dataset.id}`);
  deleteConfirm.disabled = false;
  if (!result.ok) {
    // e.g. 422 "An account needs at least one administrator": said in the dialog, kept open.
    showNotice(deleteError, errorText(result));
    return;
  }
  deleteDialog.close();
  window.location.reload();
});

// Label colours: painted through the CSSOM, so no inline style attribute is needed.
for (const swatch of document.querySelectorAll("[data-swatch]")) {
  swatch.style.backgroundColor = swatch.dataset.swatch;
  swatch.style.borderColor = swatch.dataset.swatch;
}

document.body.dataset.ready = "true";
