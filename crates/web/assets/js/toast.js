// Short notices in the page's live region (#toasts): confirmations, errors, and the notices
// dashboard apps ask for.

const TOAST_MS = 5_000;

/** Shows `message` for a few seconds; `kind` is success, error, info or warning. Returns the
 * notice element. */
export function toast(message, kind = "success", { source } = {}) {
  const region = document.getElementById("toasts");
  if (!region) return null;
  const notice = document.createElement("div");
  notice.className = `notice notice-${kind}`;
  if (source) {
    const from = document.createElement("strong");
    from.className = "notice-source";
    from.textContent = source;
    notice.append(from, " ");
    notice.dataset.source = source;
  }
  notice.append(message);
  region.append(notice);
  setTimeout(() => notice.remove(), kind === "error" ? 2 * TOAST_MS : TOAST_MS);
  return notice;
}
