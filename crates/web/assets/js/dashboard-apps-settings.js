// Settings › Dashboard apps: add and edit in a dialog (name and URL required, the URL checked
// before sending; where the app shows, its inboxes, its allowed actions, enabled), move up and
// down, choose how its context token is signed (EdDSA or HS256), enable and disable in place, delete after a confirmation naming the app. Talks to the
// JSON API.

import { errorText, request } from "./api.js";
import { appFields, fillAppFields, showAppFieldError } from "./app-settings-dialog.js";

const accountId = document.body.dataset.accountId;
const endpoint = `/api/v1/accounts/${accountId}/dashboard_apps`;
const dialog = document.getElementById("app-dialog");
const form = document.getElementById("app-form");
const titleInput = document.getElementById("app-title");
const urlInput = document.getElementById("app-url");
const formError = document.getElementById("app-form-error");
const enabledInput = document.getElementById("app-enabled");
const inboxInputs = [...document.querySelectorAll("#app-form .app-inbox")];
const actionInputs = [...document.querySelectorAll("#app-form .app-action")];
const displayInputs = [...document.querySelectorAll('#app-form [name="display_type"]')];
const placementInputs = [...document.querySelectorAll("#app-form .app-placement")];
const algorithmInputs = [...document.querySelectorAll('#app-form [name="token_algorithm"]')];
const deleteDialog = document.getElementById("delete-dialog");
let editing = null;
let deleting = null;
let secretFor = null;

/** Mirrors the server's rule: an absolute http(s) URL, no credentials, no spaces. */
export function urlProblem(text) {
  if (!text) return "Enter the app's URL.";
  if (/\s/.test(text)) return "The URL may not contain spaces.";
  if (text.length > 2048) return "The URL is too long (2048 characters at most).";
  let url;
  try {
    url = new URL(text);
  } catch {
    return "Enter a full URL starting with http:// or https://";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return "Only http:// and https:// URLs can be embedded.";
  }
  if (url.username || url.password) return "The URL may not contain a user name or password.";
  return null;
}

function setFieldError(input, message) {
  const slot = document.getElementById(`${input.id}-error`);
  slot.textContent = message || "";
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

function openForm(row) {
  editing = row ? row.dataset.appId : null;
  document.getElementById("app-dialog-title").textContent = row ? "Edit dashboard app" : "Add dashboard app";
  titleInput.value = row ? row.dataset.appTitle : "";
  urlInput.value = row ? row.dataset.appUrls.split("\n")[0] : "";
  const inboxIds = row ? row.dataset.appInboxIds.split(",").filter(Boolean) : [];
  const actions = row ? row.dataset.appAllowedActions.split(" ").filter(Boolean) : [];
  const displayType = row ? row.dataset.appDisplayType : "conversation";
  for (const input of inboxInputs) input.checked = inboxIds.includes(input.value);
  for (const input of actionInputs) input.checked = actions.includes(input.value);
  for (const input of displayInputs) input.checked = input.value === displayType;
  showPlacements(row);
  // New apps default to EdDSA; an existing app shows what it uses.
  const algorithm = row ? row.dataset.appTokenAlgorithm : "EdDSA";
  for (const input of algorithmInputs) input.checked = input.value === algorithm;
  enabledInput.checked = row ? row.dataset.appEnabled === "true" : true;
  fillAppFields(row);
  showInboxes();
  document.getElementById("app-inboxes-error").textContent = "";
  setFieldError(titleInput, null);
  setFieldError(urlInput, null);
  formError.hidden = true;
  dialog.showModal();
  titleInput.focus();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const title = titleInput.value.trim();
  const url = urlInput.value.trim();
  const titleProblem = title ? null : "Enter a name for the app.";
  const problem = urlProblem(url);
  setFieldError(titleInput, titleProblem);
  setFieldError(urlInput, problem);
  if (titleProblem || problem) {
    (titleProblem ? titleInput : urlInput).focus();
    return;
  }
  // Keep any extra frames an app already has; the form edits the first.
  const row = editing && document.querySelector(`tr[data-app-id="${editing}"]`);
  const others = row ? row.dataset.appUrls.split("\n").slice(1) : [];
  const content = [url, ...others].map((u) => ({ type: "frame", url: u }));
  const extra = appFields();
  if (!extra) return;
  const app = {
    ...extra,
    title,
    content,
    enabled: enabledInput.checked,
    display_type: displayInputs.find((input) => input.checked)?.value || "conversation",
    placements: chosenPlacements(),
    inbox_ids: inboxInputs.filter((input) => input.checked).map((input) => Number(input.value)),
    allowed_actions: actionInputs.filter((input) => input.checked).map((input) => input.value),
    token_algorithm: algorithmInputs.find((input) => input.checked)?.value || "EdDSA",
  };
  const result = editing
    ? await request("PATCH", `${endpoint}/${editing}`, { dashboard_app: app })
    : await request("POST", endpoint, { dashboard_app: app });
  if (!result.ok) {
    const attributes = (result.data && result.data.attributes) || [];
    if (attributes.includes("title")) setFieldError(titleInput, errorText(result));
    else if (attributes.includes("content")) {
      const placeholderProblem = /placeholder|\{\{/.test(result.data.message || "");
      setFieldError(urlInput, placeholderProblem ? errorText(result) : "That URL can't be embedded: use an absolute http(s) URL.");
    } else if (attributes.includes("inbox_ids")) {
      document.getElementById("app-inboxes-error").textContent = errorText(result);
    } else if (attributes.includes("placements")) {
      document.getElementById("app-placements-error").textContent = errorText(result);
    } else if (showAppFieldError(result)) {
      // Shown beside the visibility, settings or hosts field.
    }
    else {
      formError.textContent = errorText(result);
      formError.hidden = false;
    }
    return;
  }
  dialog.close();
  if (!editing) {
    // A new app's first secret is shown now, once; the list reloads when the dialog closes.
    await showNewSecret(result.data.id, title);
    return;
  }
  window.location.reload();
});

/** Generates a secret for a just-created app and shows it in the secret dialog. */
async function showNewSecret(appId, title) {
  const secretDialog = document.getElementById("secret-dialog");
  secretDialog.addEventListener("close", () => window.location.reload(), { once: true });
  document.getElementById("secret-dialog-title").textContent = `“${title}” is added — its signing secret`;
  document.getElementById("secret-error").hidden = true;
  document.getElementById("secret-generate").hidden = true;
  secretDialog.showModal();
  await generateSecret(appId);
}

/** Asks for a new secret for `appId` and shows it (or why it failed) in the secret dialog;
 * whether it succeeded. */
async function generateSecret(appId) {
  const result = await request("POST", `${endpoint}/${appId}/signing_secret`);
  if (!result.ok) {
    const slot = document.getElementById("secret-error");
    slot.textContent = errorText(result);
    slot.hidden = false;
    return false;
  }
  const input = document.getElementById("secret-value");
  input.value = result.data.signing_secret;
  document.getElementById("secret-field").hidden = false;
  input.focus();
  input.select();
  return true;
}

/** Inboxes matter to everything but a full page. */
function showInboxes() {
  const sidebar = displayInputs.find((input) => input.checked)?.value === "sidebar";
  const extra = placementInputs.some((input) => input.checked);
  document.getElementById("app-inboxes").hidden = sidebar && !extra;
}
for (const input of [...displayInputs, ...placementInputs]) input.addEventListener("change", showInboxes);

/** The dialog's placements for `row`'s app (none: a new app, a tab): the radio says tab, full
 * page or neither; the checkboxes the others. */
function showPlacements(row) {
  const placements = row ? (row.dataset.appPlacements || "").split(" ").filter(Boolean) : ["conversation_tab"];
  const primary = placements.includes("conversation_tab") ? "conversation" : placements.includes("full_page") ? "sidebar" : "";
  for (const input of displayInputs) input.checked = input.value === primary;
  for (const input of placementInputs) input.checked = placements.includes(input.value);
  document.getElementById("app-placements-error").textContent = "";
}

/** What the dialog's choices say, as the API's `placements` (which wins over `display_type`). */
function chosenPlacements() {
  const primary = { conversation: ["conversation_tab"], sidebar: ["full_page"] }[displayInputs.find((input) => input.checked)?.value] || [];
  return [...primary, ...placementInputs.filter((input) => input.checked).map((input) => input.value)];
}

/** Sends a change of one app and reloads the list, or shows why it failed. */
async function change(row, attributes) {
  const result = await request("PATCH", `${endpoint}/${row.dataset.appId}`, { dashboard_app: attributes });
  if (!result.ok) {
    const pageError = document.getElementById("page-error");
    pageError.textContent = errorText(result);
    pageError.hidden = false;
    return;
  }
  window.location.reload();
}

document.getElementById("add-app").addEventListener("click", () => openForm(null));

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-action]");
  if (!button) return;
  const row = button.closest("tr[data-app-id]");
  if (button.dataset.action === "edit") openForm(row);
  if (button.dataset.action === "toggle") await change(row, { enabled: row.dataset.appEnabled !== "true" });
  if (button.dataset.action === "move-up") await change(row, { position: Number(row.dataset.appPosition) - 1 });
  if (button.dataset.action === "move-down") await change(row, { position: Number(row.dataset.appPosition) + 1 });
  if (button.dataset.action === "delete") {
    deleting = row;
    document.getElementById("delete-dialog-text").textContent =
      `“${row.dataset.appTitle}” will be removed from every conversation for every agent.`;
    document.getElementById("delete-dialog-title").textContent = `Delete “${row.dataset.appTitle}”?`;
    deleteDialog.showModal();
  }
  if (button.dataset.action === "secret") {
    secretFor = row;
    document.getElementById("secret-dialog-title").textContent = `Signing secret for “${row.dataset.appTitle}”`;
    document.getElementById("secret-field").hidden = true;
    document.getElementById("secret-error").hidden = true;
    document.getElementById("secret-value").value = "";
    document.getElementById("secret-generate").hidden = false;
    document.getElementById("secret-dialog").showModal();
  }
  if (button.dataset.action === "cancel") button.closest("dialog").close();
});

document.getElementById("delete-confirm").addEventListener("click", async () => {
  if (!deleting) return;
  const result = await request("DELETE", `${endpoint}/${deleting.dataset.appId}`);
  deleteDialog.close();
  if (!result.ok) {
    const pageError = document.getElementById("page-error");
    pageError.textContent = errorText(result);
    pageError.hidden = false;
    return;
  }
  window.location.reload();
});

const generate = document.getElementById("secret-generate");
generate.addEventListener("click", async () => {
  if (secretFor && (await generateSecret(secretFor.dataset.appId))) generate.hidden = true;
});

document.body.dataset.ready = "true";
