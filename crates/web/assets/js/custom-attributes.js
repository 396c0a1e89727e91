// Custom attributes as their definitions say (Settings › Custom attributes): the name to show,
// how a value is formatted, which input enters it and what it must be. The contact panel
// (workflow.js) and the conversation's attributes (setupConversationAttributes, below) use it.
//
// `show` and `check` follow the server's `CustomAttributeDefinition::show` and `::check` in
// crates/domain: the page renders first, this re-renders after a change, and the server has the
// last word on every value (its 422 names the attribute key, shown beside that input).

import { errorText, request } from "./api.js";
import { toast as notify } from "./toast.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Rails' `humanize`, as the server labels an attribute without a definition. */
export function humanize(key) {
  const spaced = key.replaceAll("_", " ");
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** Text as stored: a string as it is, anything else as JSON. */
export const plainText = (value) => (typeof value === "string" ? value : JSON.stringify(value));

function numberOf(value) {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && NUMBER.test(value.trim())) {
    const n = Number(value.trim());
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** The UTC calendar date of `2027-01-31` or an RFC 3339 instant: [year, month (1–12), day]. */
function dateOf(text) {
  const trimmed = text.trim();
  const day = DAY.exec(trimmed);
  if (day) {
    const [year, month, date] = day.slice(1).map(Number);
    const check = new Date(Date.UTC(year, month - 1, date));
    const valid = check.getUTCFullYear() === year && check.getUTCMonth() === month - 1 && check.getUTCDate() === date;
    return valid ? [year, month, date] : null;
  }
  if (!INSTANT.test(trimmed)) return null;
  const instant = new Date(trimmed);
  if (Number.isNaN(instant.getTime())) return null;
  return [instant.getUTCFullYear(), instant.getUTCMonth() + 1, instant.getUTCDate()];
}

function isLink(text) {
  try {
    const url = new URL(text.trim());
    return (url.protocol === "http:" || url.protocol === "https:") && url.host !== "";
  } catch {
    return false;
  }
}

/** `/body/flags` (as Chatwoot's dashboard saves it) or a bare pattern; null when JavaScript
 * cannot read it (the server still checks). */
function patternOf(pattern) {
  const slashed = /^\/(.*)\/([a-zA-Z]*)$/s.exec(pattern);
  try {
    return slashed ? new RegExp(slashed[1], slashed[2].includes("i") ? "i" : "") : new RegExp(pattern);
  } catch {
    return null;
  }
}

/** Why `value` may not be stored under `definition`, or null. `null` always may (it clears). */
export function check(definition, value) {
  if (value === null || value === undefined) return null;
  const name = definition.attribute_display_name;
  const type = definition.attribute_display_type;
  if (type === "text" && typeof value !== "string") return `${name} must be text`;
  if (["number", "currency", "percent"].includes(type) && numberOf(value) === null) return `${name} must be a number`;
  if (type === "link" && !(typeof value === "string" && isLink(value))) return `${name} must be an http(s) link`;
  if (type === "date" && !(typeof value === "string" && dateOf(value))) return `${name} must be a date (YYYY-MM-DD)`;
  if (type === "list" && !(typeof value === "string" && definition.attribute_values.includes(value))) {
    return `${name} must be one of ${definition.attribute_values.join(", ")}`;
  }
  if (type === "checkbox" && typeof value !== "boolean") return `${name} must be true or false`;
  if (definition.regex_pattern && typeof value === "string") {
    const pattern = patternOf(definition.regex_pattern);
    if (pattern && !pattern.test(value)) return definition.regex_cue || `${name} does not match the expected format`;
  }
  return null;
}

/** `1234.5` → "1,234.50". */
function grouped(n) {
  const fixed = Math.abs(n).toFixed(2);
  const [whole, fraction] = fixed.split(".");
  const digits = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${n < 0 ? "-" : ""}${digits}.${fraction}`;
}

/** `value` formatted for its definition: { text, href } (href for a link to follow). */
export function show(definition, value) {
  const plain = { text: plainText(value), href: null };
  if (!definition || value === null || check(definition, value)) return plain;
  switch (definition.attribute_display_type) {
    case "checkbox":
      return { text: value === true ? "Yes" : "No", href: null };
    case "currency":
      return { text: grouped(numberOf(value)), href: null };
    case "percent":
      return { text: `${plain.text.trim()}%`, href: null };
    case "date": {
      const [year, month, day] = dateOf(value);
      return { text: `${MONTHS[month - 1]} ${day}, ${year}`, href: null };
    }
    case "link":
      return { text: value.trim(), href: value.trim() };
    default:
      return plain;
  }
}

/** The `<dt>`/`<dd>` pairs of a model's attributes: every definition (in its order, "Not set"
 * when empty), then the values no definition names, labelled from their key. */
export function attributeItems(definitions, values) {
  const items = [];
  const add = (key, label, definition) => {
    const dt = document.createElement("dt");
    dt.dataset.custom = "true";
    dt.dataset.key = key;
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.dataset.custom = "true";
    dd.dataset.key = key;
    const value = values[key];
    if (value === undefined || value === null || value === "") {
      const muted = document.createElement("span");
      muted.className = "muted";
      muted.textContent = "Not set";
      dd.append(muted);
    } else {
      const { text, href } = show(definition, value);
      if (href) {
        const link = document.createElement("a");
        link.href = href;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        link.textContent = text;
        dd.append(link);
      } else dd.textContent = text;
    }
    items.push(dt, dd);
  };
  for (const definition of definitions) add(definition.attribute_key, definition.attribute_display_name, definition);
  const defined = new Set(definitions.map((d) => d.attribute_key));
  for (const key of Object.keys(values)) if (!defined.has(key)) add(key, humanize(key), null);
  return items;
}

/** The definitions of one model, from the panel's `data-definitions`. */
export function definitionsOf(element, model) {
  const all = JSON.parse(element.dataset.definitions || "[]");
  return all.filter((d) => d.attribute_model === model);
}

/** One labelled input per definition in `container`, filled from `values`; ids start with
 * `prefix`. A value the input cannot hold (a list's value that is no longer a choice) is kept
 * as an extra option, so the agent sees it, and the server says why it no longer fits. */
export function fillInputs(container, prefix, definitions, values) {
  container.replaceChildren();
  definitions.forEach((definition, index) => {
    const id = `${prefix}-${index}`;
    const value = values[definition.attribute_key];
    const type = definition.attribute_display_type;
    const field = document.createElement("div");
    field.className = type === "checkbox" ? "form-field checkbox-field" : "form-field";
    field.dataset.key = definition.attribute_key;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = definition.attribute_display_name;
    let input;
    if (type === "list") {
      input = document.createElement("select");
      const choices = [...definition.attribute_values];
      if (typeof value === "string" && value && !choices.includes(value)) choices.push(value);
      input.append(new Option("Not set", ""), ...choices.map((choice) => new Option(choice, choice)));
      input.value = typeof value === "string" ? value : "";
    } else {
      input = document.createElement("input");
      input.autocomplete = "off";
      if (type === "checkbox") {
        input.type = "checkbox";
        input.checked = value === true;
      } else if (type === "date") {
        input.type = "date";
        const day = typeof value === "string" ? dateOf(value) : null;
        input.value = day ? day.map((n, i) => String(n).padStart(i === 0 ? 4 : 2, "0")).join("-") : "";
      } else {
        input.type = "text";
        if (["number", "currency", "percent"].includes(type)) input.inputMode = "decimal";
        if (type === "link") input.inputMode = "url";
        input.value = value === undefined || value === null ? "" : plainText(value);
      }
    }
    input.id = id;
    input.dataset.key = definition.attribute_key;
    const described = [];
    if (definition.attribute_description) {
      const hint = document.createElement("div");
      hint.className = "hint";
      hint.id = `${id}-hint`;
      hint.textContent = definition.attribute_description;
      described.push(hint);
    }
    const error = document.createElement("div");
    error.className = "field-error";
    error.id = `${id}-error`;
    error.setAttribute("aria-live", "polite");
    described.push(error);
    input.setAttribute("aria-describedby", described.map((d) => d.id).join(" "));
    if (type === "checkbox") field.append(input, label, ...described);
    else field.append(label, input, ...described);
    container.append(field);
  });
}

/** Shows `message` beside the input of `key` in `container`; false when there is none. */
export function showInputError(container, key, message) {
  const input = [...container.querySelectorAll("[data-key]")].find((i) => i.matches("input, select") && i.dataset.key === key);
  if (!input) return false;
  const slot = document.getElementById(`${input.id}-error`);
  if (slot) slot.textContent = message;
  input.setAttribute("aria-invalid", "true");
  input.focus();
  return true;
}

export function clearInputErrors(container) {
  for (const input of container.querySelectorAll("input, select")) {
    input.removeAttribute("aria-invalid");
    const slot = document.getElementById(`${input.id}-error`);
    if (slot) slot.textContent = "";
  }
}

/** What the inputs say: { values } (key → value, null for cleared) or { problem, key }, the
 * first value that does not fit its definition. `before` keeps a checkbox never set unset. */
export function readInputs(container, definitions, before) {
  const values = {};
  for (const definition of definitions) {
    const key = definition.attribute_key;
    const input = [...container.querySelectorAll("input, select")].find((i) => i.dataset.key === key);
    if (!input) continue;
    const type = definition.attribute_display_type;
    let value;
    if (type === "checkbox") value = input.checked ? true : before[key] === undefined ? null : false;
    else if (type === "date" && input.validity.badInput) return { problem: `${definition.attribute_display_name} must be a date (YYYY-MM-DD)`, key };
    else {
      const text = input.value.trim();
      if (text === "") value = null;
      else if (["number", "currency", "percent"].includes(type)) value = numberOf(text) ?? text;
      else value = text;
    }
    const problem = check(definition, value);
    if (problem) return { problem, key };
    values[key] = value;
  }
  return { values };
}

/** The conversation's custom attributes in the side panel: shown per their definitions, edited
 * with an input per definition (values no definition names are shown and kept as they are),
 * saved with `POST …/custom_attributes`, which replaces the set. Follows `conversation:updated`
 * (dispatched on the panel by conversation.js) while the form is closed. */
export function setupConversationAttributes(conversationUrl, byId) {
  const panel = byId("contact-panel");
  const list = byId("conversation-attributes");
  const editButton = byId("conversation-attributes-edit");
  const form = byId("conversation-attributes-form");
  const inputs = byId("conversation-defined");
  const formError = byId("conversation-attributes-error");
  const cancelButton = byId("conversation-attributes-cancel");
  const saveButton = byId("conversation-attributes-save");
  const parts = [panel, list, editButton, form, inputs, formError, cancelButton, saveButton];
  if (parts.includes(null)) return;
  const definitions = definitionsOf(panel, "conversation_attribute");
  let values = JSON.parse(panel.dataset.conversationAttributes || "{}");
  editButton.hidden = definitions.length === 0;

  const render = () => {
    list.replaceChildren(...attributeItems(definitions, values));
    byId("conversation-attributes-empty").hidden = list.children.length > 0;
    panel.dataset.conversationAttributes = JSON.stringify(values);
  };
  const open = () => {
    formError.hidden = true;
    fillInputs(inputs, "conversation-attr", definitions, values);
    form.hidden = false;
    editButton.setAttribute("aria-expanded", "true");
    inputs.querySelector("input, select")?.focus();
  };
  const close = () => {
    form.hidden = true;
    editButton.setAttribute("aria-expanded", "false");
    editButton.focus();
  };

  panel.addEventListener("conversation:updated", ({ detail }) => {
    if (!detail.custom_attributes || !form.hidden) return;
    values = detail.custom_attributes;
    render();
  });
  editButton.addEventListener("click", open);
  cancelButton.addEventListener("click", close);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearInputErrors(inputs);
    formError.hidden = true;
    const read = readInputs(inputs, definitions, values);
    if (read.problem) {
      showInputError(inputs, read.key, read.problem);
      return;
    }
    const next = { ...values };
    for (const [key, value] of Object.entries(read.values)) {
      if (value === null) delete next[key];
      else next[key] = value;
    }
    saveButton.disabled = true;
    const result = await request("POST", `${conversationUrl}/custom_attributes`, { custom_attributes: next });
    saveButton.disabled = false;
    if (!result.ok) {
      const key = (result.data?.attributes || [])[0];
      if (!key || !showInputError(inputs, key, errorText(result))) {
        formError.textContent = errorText(result);
        formError.hidden = false;
      }
      return;
    }
    values = result.data.custom_attributes || next;
    render();
    close();
    notify("Conversation attributes saved");
  });
}
