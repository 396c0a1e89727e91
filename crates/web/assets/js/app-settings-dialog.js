// Settings › Dashboard apps, the parts of issue 14 items 4 and 6: in the app dialog, who sees
// the app (roles, teams), the settings it needs (a JSON list) and its request hosts; and the
// Settings dialog, a form built from the app's settings to fill in their values (secrets are
// write-only: the page only ever knows whether one is set) with the app's recent proxied
// requests below it. Talks to the JSON API.

import { errorText, request } from "./api.js";

const accountId = document.body.dataset.accountId;
const endpoint = `/api/v1/accounts/${accountId}/dashboard_apps`;
const roleInputs = [...document.querySelectorAll("#app-form .app-role")];
const teamInputs = [...document.querySelectorAll("#app-form .app-team")];
const schemaInput = document.getElementById("app-settings-schema");
const hostsInput = document.getElementById("app-request-hosts");

function setError(id, message) {
  const slot = document.getElementById(id);
  slot.textContent = message || "";
  const input = document.getElementById(id.replace(/-error$/, ""));
  if (input && "value" in input) {
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
}

/** Fills the app dialog's visibility, settings and hosts fields from `row` (null: a new app). */
export function fillAppFields(row) {
  const roles = row ? row.dataset.appRoles.split(" ").filter(Boolean) : [];
  const teams = row ? row.dataset.appTeamIds.split(",").filter(Boolean) : [];
  for (const input of roleInputs) input.checked = roles.includes(input.value);
  for (const input of teamInputs) input.checked = teams.includes(input.value);
  const schema = row ? JSON.parse(row.dataset.appSettingsSchema || "[]") : [];
  schemaInput.value = schema.length ? JSON.stringify(schema, null, 2) : "";
  hostsInput.value = row ? row.dataset.appRequestHosts : "";
  for (const id of ["app-visibility-error", "app-settings-schema-error", "app-request-hosts-error"]) setError(id, null);
}

/** The dialog's visibility, settings and hosts fields as API fields, or null (after showing
 * why) when the settings are not a JSON list. */
export function appFields() {
  let schema = [];
  const text = schemaInput.value.trim();
  if (text) {
    try {
      schema = JSON.parse(text);
    } catch {
      setError("app-settings-schema-error", "Settings must be JSON: a list of {key, label, type}.");
      schemaInput.focus();
      return null;
    }
  }
  setError("app-settings-schema-error", null);
  return {
    roles: roleInputs.filter((input) => input.checked).map((input) => input.value),
    team_ids: teamInputs.filter((input) => input.checked).map((input) => Number(input.value)),
    settings_schema: schema,
    request_hosts: hostsInput.value.split("\n").map((host) => host.trim()).filter(Boolean),
  };
}

/** Shows a refusal naming one of these fields beside it; whether it was one of them. */
export function showAppFieldError(result) {
  const attributes = (result.data && result.data.attributes) || [];
  const slot = {
    roles: "app-visibility-error",
    team_ids: "app-visibility-error",
    settings_schema: "app-settings-schema-error",
    request_hosts: "app-request-hosts-error",
  }[attributes[0]];
  if (!slot) return false;
  setError(slot, errorText(result));
  return true;
}

// ---- The Settings dialog: values and the request log --------------------------------------

const dialog = document.getElementById("app-settings-dialog");
const form = document.getElementById("app-settings-form");
const fields = document.getElementById("app-settings-fields");
const formError = document.getElementById("app-settings-error");
let current = null;

/** One labelled input for `definition`, holding `value` (secrets: empty, saying if set). */
function field(definition, value, secretSet) {
  const wrap = document.createElement("div");
  wrap.className = "form-field";
  const id = `app-setting-${definition.key}`;
  let input;
  if (definition.type === "select") {
    input = document.createElement("select");
    input.append(new Option("—", ""));
    for (const option of definition.options || []) input.append(new Option(option, option, false, option === value));
  } else {
    input = document.createElement("input");
    input.type = { number: "number", boolean: "checkbox", secret: "password" }[definition.type] || "text";
    if (definition.type === "boolean") input.checked = value === true;
    else if (definition.type !== "secret" && value !== undefined) input.value = String(value);
    if (definition.type === "number") input.step = "any";
    if (definition.type === "secret") {
      input.autocomplete = "new-password";
      input.placeholder = secretSet ? "Set — type to replace it" : "Not set";
      input.dataset.secretSet = String(secretSet);
    }
  }
  input.id = id;
  input.dataset.key = definition.key;
  input.dataset.type = definition.type;
  input.setAttribute("aria-describedby", `${id}-error`);
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = definition.required ? `${definition.label} (required)` : definition.label;
  const error = document.createElement("div");
  error.className = "field-error";
  error.id = `${id}-error`;
  if (definition.type === "boolean") {
    label.prepend(input, " ");
    wrap.append(label, error);
  } else {
    wrap.append(label, input, error);
  }
  return wrap;
}

/** The values the form holds: empty text and number fields clear theirs, an empty secret keeps
 * its own. */
function values() {
  const out = {};
  for (const input of fields.querySelectorAll("[data-key]")) {
    const { key, type } = input.dataset;
    if (type === "boolean") out[key] = input.checked;
    else if (type === "number") out[key] = input.value === "" ? null : Number(input.value);
    else if (type === "secret") out[key] = input.value;
    else out[key] = input.value === "" ? null : input.value;
  }
  return out;
}

async function showRequests(appId) {
  const table = document.getElementById("app-requests-table");
  const rows = table.querySelector("tbody");
  rows.replaceChildren();
  const result = await request("GET", `${endpoint}/${appId}/requests`);
  const entries = result.ok ? result.data : [];
  for (const entry of entries) {
    const tr = document.createElement("tr");
    const outcome = entry.status === null ? entry.error : String(entry.status);
    for (const text of [entry.created_at, `#${entry.user_id}`, entry.method, entry.host, entry.path, outcome, String(entry.duration_ms)]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    rows.append(tr);
  }
  table.hidden = entries.length === 0;
  document.getElementById("app-requests-empty").hidden = entries.length !== 0;
  dialog.dataset.requests = String(entries.length);
}

function open(row) {
  current = row;
  const schema = JSON.parse(row.dataset.appSettingsSchema || "[]");
  const saved = JSON.parse(row.dataset.appSettings || "{}");
  const secretsSet = row.dataset.appSecretsSet.split(" ").filter(Boolean);
  document.getElementById("app-settings-dialog-title").textContent = `Settings of “${row.dataset.appTitle}”`;
  fields.replaceChildren(...schema.map((d) => field(d, saved[d.key], secretsSet.includes(d.key))));
  document.getElementById("app-settings-none").hidden = schema.length !== 0;
  document.getElementById("app-settings-save").hidden = schema.length === 0;
  formError.hidden = true;
  dialog.dataset.requests = "";
  dialog.showModal();
  showRequests(row.dataset.appId);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  for (const slot of fields.querySelectorAll(".field-error")) slot.textContent = "";
  formError.hidden = true;
  const result = await request("PATCH", `${endpoint}/${current.dataset.appId}/settings`, { settings: values() });
  if (!result.ok) {
    const attribute = ((result.data && result.data.attributes) || [])[0] || "";
    const slot = attribute.startsWith("settings.") && document.getElementById(`app-setting-${attribute.slice(9)}-error`);
    if (slot) slot.textContent = errorText(result);
    else {
      formError.textContent = errorText(result);
      formError.hidden = false;
    }
    return;
  }
  dialog.close();
  window.location.reload();
});

document.addEventListener("click", (event) => {
  const button = event.target.closest('[data-action="app-settings"]');
  if (button) open(button.closest("tr[data-app-id]"));
});
