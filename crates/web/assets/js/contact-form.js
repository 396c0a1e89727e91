// A contact's details and their edit form (name, e-mail, phone, identifier, company, custom
// attributes as their definitions say, other attributes as free rows), saved through the JSON
// API: the conversation view's side panel (workflow.js) and the contact page (contact.js) both
// render templates/contacts/_details.html and call setupContactForm.

import { errorText, request } from "./api.js";
import { busy } from "./busy.js";
import {
  attributeItems,
  clearInputErrors,
  definitionsOf,
  fillInputs,
  plainText as shown,
  readInputs,
  showInputError,
} from "./custom-attributes.js";
import { toast as notify } from "./toast.js";

const CONTACT_FIELDS = [
  ["name", "contact-name-input"],
  ["email", "contact-email"],
  ["phone_number", "contact-phone"],
  ["identifier", "contact-identifier"],
  ["company_name", "contact-company"],
];

/** The contact as the panel keeps it (`data-contact`), from a Chatwoot contact body. */
function panelContact(wire) {
  return {
    id: wire.id,
    name: wire.name,
    email: wire.email,
    phone_number: wire.phone_number,
    identifier: wire.identifier,
    company_name: wire.additional_attributes?.company_name || null,
    custom_attributes: wire.custom_attributes || {},
  };
}

/** Wires the contact's details (`#contact-view`) and edit form (`#contact-form`), found with
 * `byId`; `onRender(name, panel)` lets the page follow a new name (its title and heading). The
 * panel follows `contact:updated` events dispatched on it (the page's /cable listener). */
export function setupContactForm(contactUrl, contactId, byId, onRender) {
  const panel = byId("contact-panel");
  const view = byId("contact-view");
  const form = byId("contact-form");
  const editButton = byId("contact-edit");
  const defined = byId("contact-defined");
  const rows = byId("custom-rows");
  const template = byId("custom-row-template");
  const formError = byId("contact-form-error");
  const customError = byId("contact-custom-error");
  const attributes = byId("contact-attributes");
  const addButton = byId("custom-add");
  const cancelButton = byId("contact-cancel");
  const saveButton = byId("contact-save");
  const fields = new Map(CONTACT_FIELDS.map(([name, id]) => [name, byId(id)]));
  const required = [panel, view, form, editButton, defined, rows, template, formError, customError, attributes, addButton, cancelButton, saveButton];
  if (required.includes(null) || [...fields.values()].includes(null)) return;
  /** Each field's error slot (`#<field id>-error`). */
  const errors = new Map([...fields.values()].map((field) => [field, byId(`${field.id}-error`)]));
  let contact = { id: contactId, ...JSON.parse(panel.dataset.contact || "{}") };
  contact.custom_attributes ||= {};
  /** The contact attributes with a definition: typed inputs, above the free-form rows. */
  const definitions = definitionsOf(panel, "contact_attribute");
  const isDefined = (key) => definitions.some((d) => d.attribute_key === key);

  const input = (name) => fields.get(name);
  const setError = (field, message) => {
    errors.get(field).textContent = message || "";
    if (message) field.setAttribute("aria-invalid", "true");
    else field.removeAttribute("aria-invalid");
  };
  const clearErrors = () => {
    for (const field of form.querySelectorAll("input")) field.removeAttribute("aria-invalid");
    for (const slot of errors.values()) if (slot) slot.textContent = "";
    clearInputErrors(defined);
    customError.textContent = "";
    formError.hidden = true;
  };

  const renumber = () => {
    [...rows.children].forEach((row, index) => {
      const n = index + 1;
      row.querySelector('[name="custom-key"]').setAttribute("aria-label", `Attribute ${n} name`);
      row.querySelector('[name="custom-value"]').setAttribute("aria-label", `Attribute ${n} value`);
      row.querySelector("[data-remove-custom]").setAttribute("aria-label", `Remove attribute ${n}`);
    });
  };
  const addRow = (key = "", value = "") => {
    const row = template.content.firstElementChild.cloneNode(true);
    row.querySelector('[name="custom-key"]').value = key;
    row.querySelector('[name="custom-value"]').value = value;
    rows.append(row);
    renumber();
    return row;
  };

  const render = () => {
    const name = contact.name || contact.email || `Contact #${contact.id}`;
    view.querySelector(".contact-name").textContent = name;
    onRender?.(name, panel);
    const list = attributes;
    const entries = [
      ["E-mail", contact.email, "email"],
      ["Phone", contact.phone_number, "phone_number"],
      ["Company", contact.company_name, "company_name"],
    ];
    if (contact.identifier) entries.push(["Identifier", contact.identifier, "identifier"]);
    const items = [];
    for (const [label, value, field] of entries) {
      const dt = document.createElement("dt");
      dt.textContent = label;
      const dd = document.createElement("dd");
      dd.dataset.field = field;
      if (value) dd.textContent = value;
      else {
        const muted = document.createElement("span");
        muted.className = "muted";
        muted.textContent = "Not set";
        dd.append(muted);
      }
      items.push(dt, dd);
    }
    items.push(...attributeItems(definitions, contact.custom_attributes));
    list.replaceChildren(...items);
    panel.dataset.contact = JSON.stringify(contact);
  };

  // Another agent (or the API) changed the contact: show it. A form being edited is left as
  // the agent typed it; the panel behind it follows.
  panel.addEventListener("contact:updated", ({ detail }) => {
    contact = panelContact(detail);
    render();
  });

  const open = () => {
    clearErrors();
    for (const [name] of CONTACT_FIELDS) input(name).value = contact[name] ?? "";
    fillInputs(defined, "contact-attr", definitions, contact.custom_attributes);
    rows.replaceChildren();
    for (const [key, value] of Object.entries(contact.custom_attributes)) {
      if (!isDefined(key)) addRow(key, shown(value));
    }
    view.hidden = true;
    form.hidden = false;
    editButton.setAttribute("aria-expanded", "true");
    input("name").focus();
  };
  const close = () => {
    form.hidden = true;
    view.hidden = false;
    editButton.setAttribute("aria-expanded", "false");
    editButton.focus();
  };

  /** The custom attributes the typed inputs and the rows say (a row keeps a value's JSON type
   * when its text is unchanged); a cleared input leaves its key out. */
  const customFromRows = () => {
    const read = readInputs(defined, definitions, contact.custom_attributes);
    if (read.problem) return { problem: read.problem, key: read.key };
    const custom = {};
    for (const [key, value] of Object.entries(read.values)) if (value !== null) custom[key] = value;
    for (const row of rows.children) {
      const keyInput = row.querySelector('[name="custom-key"]');
      const valueInput = row.querySelector('[name="custom-value"]');
      const key = keyInput.value.trim();
      const text = valueInput.value;
      if (!key && !text.trim()) continue;
      if (!key) return { problem: "Give every attribute a name.", field: keyInput };
      if (isDefined(key)) return { problem: `“${key}” has its own field above.`, field: keyInput };
      if (Object.hasOwn(custom, key)) return { problem: `“${key}” is used twice.`, field: keyInput };
      const before = contact.custom_attributes[key];
      custom[key] = before !== undefined && shown(before) === text ? before : text;
    }
    return { custom };
  };

  const showFailure = (result) => {
    const attribute = (result.data?.attributes || [])[0];
    const message = errorText(result);
    const field =
      attribute === "additional_attributes" ? input("company_name") : attribute ? input(attribute) : null;
    if (field && errors.get(field)) {
      setError(field, message);
      field.focus();
    } else if (attribute && showInputError(defined, attribute, message)) {
      // A value the attribute's definition refuses: said beside its input.
    } else if (attribute === "custom_attributes") {
      customError.textContent = message;
      (rows.querySelector("input") || addButton).focus();
    } else {
      formError.textContent = message;
      formError.hidden = false;
    }
  };

  editButton.addEventListener("click", open);
  cancelButton.addEventListener("click", close);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  addButton.addEventListener("click", () => {
    addRow().querySelector('[name="custom-key"]').focus();
  });
  rows.addEventListener("click", (event) => {
    const button = event.target.closest("[data-remove-custom]");
    if (!button) return;
    const row = button.closest(".custom-row");
    const next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    renumber();
    (next?.querySelector("[data-remove-custom]") || addButton).focus();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const { custom, problem, field, key } = customFromRows();
    if (problem && key) {
      showInputError(defined, key, problem);
      return;
    }
    if (problem) {
      customError.textContent = problem;
      field.setAttribute("aria-invalid", "true");
      field.focus();
      return;
    }
    const removed = Object.keys(contact.custom_attributes).filter((key) => !Object.hasOwn(custom, key));
    const changes = {
      name: input("name").value.trim(),
      email: input("email").value.trim(),
      phone_number: input("phone_number").value.trim(),
      identifier: input("identifier").value.trim(),
      additional_attributes: { company_name: input("company_name").value.trim() },
      custom_attributes: custom,
    };
    const failure = await busy([saveButton], form, async () => {
      const updated = await request("PATCH", contactUrl, changes);
      if (!updated.ok) return updated;
      contact = panelContact(updated.data.payload);
      // An update only merges custom attributes; the dropped ones go separately.
      if (removed.length > 0) {
        const dropped = await request("POST", `${contactUrl}/destroy_custom_attributes`, {
          custom_attributes: removed,
        });
        if (!dropped.ok) return dropped;
        contact = panelContact(dropped.data.payload);
      }
      return null;
    });
    render();
    if (failure) {
      showFailure(failure);
      return;
    }
    close();
    notify("Contact saved");
  });
}
