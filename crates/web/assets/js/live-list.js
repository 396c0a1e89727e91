// Keeps the conversation list pane current: re-renders it from the server on every account
// event (coalesced), newest response wins.

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
      fresh.scrollTop = pane.scrollTop;
      pane.replaceWith(fresh);
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
