// Canned responses in the reply box: typing `/` (at the start or after a space) opens a list of
// the account's canned responses, filtered by what follows the slash as it is typed. Arrow keys
// choose, Enter or Tab puts the chosen content in place of `/code`, Escape closes; a click picks
// one too. The textarea is an ARIA combobox whose active option is `aria-activedescendant`.
//
// The list is read from the API each time it opens (an administrator may have added one since)
// and filtered here, ranked as the API's `?search=` ranks: short codes starting with the text,
// then short codes containing it, then content containing it.

import { request } from "./api.js";

/** The `/code` being typed just before the caret: its start and the text after the slash. */
export function slashQuery(text, caret) {
  const before = text.slice(0, caret);
  const match = /(^|\s)\/([^\s/]*)$/.exec(before);
  if (!match) return null;
  return { start: caret - match[2].length - 1, query: match[2] };
}

/** The canned responses matching `query`, best first (the API's `?search=` order). */
export function rank(canned, query) {
  const q = query.toLowerCase();
  const scored = [];
  canned.forEach((item, index) => {
    const code = item.short_code.toLowerCase();
    let score = 0;
    if (code.startsWith(q)) score = 3;
    else if (code.includes(q)) score = 2;
    else if (item.content.toLowerCase().includes(q)) score = 1;
    if (score > 0) scored.push({ item, score, index });
  });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.map(({ item }) => item);
}

/** Wires the picker to a reply box's `textarea`; `find(id)` looks up the view's elements. */
export function setupCannedResponses(textarea, find) {
  const popup = find("canned-popup");
  const list = find("canned-list");
  const empty = find("canned-empty");
  const url = textarea.dataset.cannedUrl;
  if (!popup || !list || !empty || !url) return;
  let canned = null;
  let matches = [];
  let active = -1;
  let token = null;
  let generation = 0;
  /** Where the `/` the agent closed with Escape starts: it stays closed while they type on. */
  let dismissed = null;

  const optionId = (index) => `canned-option-${index}`;

  const close = () => {
    generation++;
    popup.hidden = true;
    token = null;
    matches = [];
    active = -1;
    list.replaceChildren();
    textarea.setAttribute("aria-expanded", "false");
    textarea.removeAttribute("aria-activedescendant");
  };

  const highlight = (index) => {
    active = index;
    [...list.children].forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    if (index < 0) {
      textarea.removeAttribute("aria-activedescendant");
      return;
    }
    textarea.setAttribute("aria-activedescendant", optionId(index));
    list.children[index].scrollIntoView({ block: "nearest" });
  };

  const render = () => {
    matches = rank(canned, token.query);
    const options = matches.map((item, index) => {
      const option = document.createElement("li");
      option.id = optionId(index);
      option.setAttribute("role", "option");
      option.dataset.shortCode = item.short_code;
      const code = document.createElement("strong");
      code.textContent = `/${item.short_code}`;
      const content = document.createElement("span");
      content.className = "muted";
      content.textContent = item.content;
      option.append(code, " ", content);
      return option;
    });
    list.replaceChildren(...options);
    empty.hidden = matches.length > 0;
    empty.textContent = canned.length === 0
      ? "No canned responses yet."
      : `No canned response matches “${token.query}”.`;
    popup.hidden = false;
    textarea.setAttribute("aria-expanded", "true");
    highlight(matches.length > 0 ? 0 : -1);
  };

  const insert = (item) => {
    const { start } = token;
    const end = textarea.selectionStart;
    const text = textarea.value;
    textarea.value = text.slice(0, start) + item.content + text.slice(end);
    const caret = start + item.content.length;
    textarea.setSelectionRange(caret, caret);
    close();
    textarea.focus();
  };

  /** Follows the text: opens (reading the list) on a new `/`, filters while it stays open. */
  const follow = async () => {
    const found = textarea.selectionStart === textarea.selectionEnd
      ? slashQuery(textarea.value, textarea.selectionStart)
      : null;
    if (!found || found.start === dismissed) {
      if (!found) dismissed = null;
      if (token) close();
      return;
    }
    dismissed = null;
    const opening = !token || token.start !== found.start;
    token = found;
    if (opening) {
      const mine = ++generation;
      const result = await request("GET", url);
      if (mine !== generation || !token) return;
      canned = result.ok && Array.isArray(result.data) ? result.data : [];
    }
    if (canned) render();
  };

  textarea.addEventListener("input", follow);
  textarea.addEventListener("click", follow);
  textarea.addEventListener("blur", () => {
    if (token) close();
  });
  textarea.addEventListener("keydown", (event) => {
    if (!token || popup.hidden || event.ctrlKey || event.metaKey || event.altKey) return;
    const count = matches.length;
    if (event.key === "ArrowDown" && count > 0) {
      event.preventDefault();
      highlight((active + 1) % count);
    } else if (event.key === "ArrowUp" && count > 0) {
      event.preventDefault();
      highlight((active - 1 + count) % count);
    } else if ((event.key === "Enter" || event.key === "Tab") && !event.shiftKey && active >= 0) {
      event.preventDefault();
      insert(matches[active]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      dismissed = token.start;
      close();
    }
  });
  // Picking with the pointer: the textarea keeps focus (no blur closes the list first).
  list.addEventListener("mousedown", (event) => event.preventDefault());
  list.addEventListener("click", (event) => {
    const option = event.target.closest('[role="option"]');
    if (!option || !token) return;
    insert(matches[[...list.children].indexOf(option)]);
  });
}
