// Keeps the conversation list pane current: re-renders it from the server on every account
// event (coalesced), newest response wins. The search form is carried over as it is, so what an
// agent is typing or choosing survives an update (the server renders it from the URL alone).

const COALESCE_MS = 150;

/** `current` returns the open conversation's display id (or null). */
export function liveList(cable, current) {
  const accountId = document.body.dataset.accountId;
  let timer = null;
  let generation = 0;
  const refresh = async () => {
    timer = null;
    const mine = ++generation;
    const params = new URLSearchParams(location.search);
    const open = current();
    if (open) params.set("current", open);
    const response = await fetch(`/app/accounts/${accountId}/conversations/_list?${params}`, {
      credentials: "same-origin",
    });
    if (!response.ok || mine !== generation) return;
    const html = await response.text();
    const pane = document.querySelector(".conversation-list-pane");
    if (!pane || mine !== generation) return;
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const fresh = template.content.firstElementChild;
    if (fresh) {
      const active = document.activeElement;
      keepSearchForm(pane, fresh);
      fresh.scrollTop = pane.scrollTop;
      pane.replaceWith(fresh);
      restoreFocus(active, fresh);
    }
    document.body.dataset.listVersion = String(mine);
  };
  const schedule = () => {
    if (!timer) timer = setTimeout(refresh, COALESCE_MS);
  };
  cable.addEventListener("event", schedule);
  cable.addEventListener("resync", schedule);
  return { refresh: schedule };
}

/** Moves the search form, with its unsent text and choices, from the old pane into the new. */
function keepSearchForm(pane, fresh) {
  const form = pane.querySelector(".list-search");
  const replaced = fresh.querySelector(".list-search");
  if (form && replaced) replaced.replaceWith(form);
}

/** Moving the form blurs the field being typed in: focus it again, caret where it was. */
function restoreFocus(active, fresh) {
  if (!active || active === document.body || !fresh.contains(active)) return;
  const { selectionStart, selectionEnd } = active;
  active.focus({ preventScroll: true });
  if (typeof selectionStart === "number") {
    try {
      active.setSelectionRange(selectionStart, selectionEnd);
    } catch {
      // Not a text field (a select): nothing to restore.
    }
  }
}
