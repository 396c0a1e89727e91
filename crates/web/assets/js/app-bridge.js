// The dashboard-app bridge: creates app frames, posts them the `appContext` string on every
// `load`, and answers their requests — to that frame only, at its pinned origin.
//
// Compatibility (Chatwoot's protocol, and what apps in the wild do):
// - the context is a JSON *string*; apps call JSON.parse(event.data);
// - requests are "chatwoot-dashboard-app:fetch-info" as a bare string, a JSON-wrapped string or
//   an object with that `event`; the home-made "chatwoot-dashboard-app:ready" counts the same;
// - a request that arrives before the frame's `load` is answered too;
// - the frame is sent nothing else: no pings, no objects.
// Pinned origins: we post to the app URL's origin, never "*", and ignore messages whose source
// is not a frame we created or whose origin is not that frame's app origin.
// Live context (ours): `push(reason)` sends every frame a fresh context when the conversation
// changes, at most one per 100 ms per frame. Every context we send carries a top-level
// `meta: {seq, reason, protocol: 1}`, `seq` strictly increasing per frame; apps that do not know
// it ignore the extra key.

/** The least time between two pushed updates to one frame. */
const PUSH_INTERVAL_MS = 100;

const REQUEST_EVENTS = new Set([
  "chatwoot-dashboard-app:fetch-info",
  "chatwoot-dashboard-app:ready",
]);

/** The request event `data` carries, or null when it is not a request. */
export function requestEvent(data) {
  if (typeof data === "string") {
    if (REQUEST_EVENTS.has(data)) return data;
    try {
      const parsed = JSON.parse(data);
      if (typeof parsed === "string" && REQUEST_EVENTS.has(parsed)) return parsed;
      if (parsed && typeof parsed === "object" && REQUEST_EVENTS.has(parsed.event)) return parsed.event;
    } catch {
      return null;
    }
    return null;
  }
  if (data && typeof data === "object" && REQUEST_EVENTS.has(data.event)) return data.event;
  return null;
}

export class AppBridge extends EventTarget {
  /** @param {string} contextUrl the JSON endpoint serving this conversation's appContext */
  constructor(contextUrl) {
    super();
    this.contextUrl = contextUrl;
    this.frames = [];
    /** appId → the context fetch in flight for that app (each app gets its own token). */
    this.inflight = new Map();
    this.listener = (event) => this.onMessage(event);
    window.addEventListener("message", this.listener);
  }

  /** Stops answering (the conversation's frames are gone). */
  close() {
    window.removeEventListener("message", this.listener);
    for (const entry of this.frames) clearTimeout(entry.timer);
    this.frames = [];
  }

  /** Creates an iframe for `url` in `container` and starts serving it. */
  createFrame(container, { url, origin }, title, appId) {
    const iframe = document.createElement("iframe");
    iframe.className = "dashboard-app-frame";
    iframe.title = title;
    iframe.setAttribute("allow", "clipboard-read; clipboard-write");
    iframe.referrerPolicy = "strict-origin-when-cross-origin";
    const entry = { iframe, origin, appId, sent: 0, seq: 0, lastPush: 0, timer: null, reason: null };
    this.frames.push(entry);
    iframe.addEventListener("load", () => this.send(entry, "load"));
    iframe.src = url;
    container.appendChild(iframe);
    return iframe;
  }

  onMessage(event) {
    const entry = this.frames.find(
      (f) => f.iframe.contentWindow !== null && f.iframe.contentWindow === event.source,
    );
    if (!entry || event.origin !== entry.origin) return;
    const name = requestEvent(event.data);
    if (name) this.send(entry, name.replace("chatwoot-dashboard-app:", ""));
  }

  /** Sends every frame a fresh context because of `reason` (an event name), throttled. */
  push(reason) {
    for (const entry of this.frames) {
      entry.reason = reason;
      if (entry.timer) continue;
      const wait = Math.max(0, entry.lastPush + PUSH_INTERVAL_MS - Date.now());
      entry.timer = setTimeout(async () => {
        entry.timer = null;
        entry.lastPush = Date.now();
        await this.send(entry, entry.reason, { fresh: true });
      }, wait);
    }
  }

  /** The context as the server renders it, signed for `appId`. Concurrent requests for one
   * app share one fetch; a `fresh` one (after a change) waits for any fetch in flight and then
   * starts its own. */
  async context(appId, { fresh = false } = {}) {
    const key = String(appId);
    if (fresh) {
      await this.inflight.get(key)?.catch(() => null);
      this.inflight.delete(key);
    }
    if (!this.inflight.has(key)) {
      const url = appId === undefined ? this.contextUrl : `${this.contextUrl}?app_id=${encodeURIComponent(appId)}`;
      const request = fetch(url, {
        credentials: "same-origin",
        headers: { accept: "application/json" },
      })
        .then((response) => {
          if (!response.ok) throw new Error(`context request failed: ${response.status}`);
          return response.text();
        })
        .finally(() => {
          if (this.inflight.get(key) === request) this.inflight.delete(key);
        });
      this.inflight.set(key, request);
    }
    return this.inflight.get(key);
  }

  async send(entry, reason, options = {}) {
    let body;
    try {
      body = await this.context(entry.appId, options);
    } catch (error) {
      this.dispatchEvent(new CustomEvent("error", { detail: error }));
      return;
    }
    const target = entry.iframe.contentWindow;
    if (!target) return;
    entry.seq += 1;
    const message = JSON.stringify({ ...JSON.parse(body), meta: { seq: entry.seq, reason, protocol: 1 } });
    // Pinned: if the frame is now on another origin, the browser drops this message.
    target.postMessage(message, entry.origin);
    entry.sent += 1;
    entry.iframe.dataset.contextSent = String(entry.sent);
    this.dispatchEvent(new CustomEvent("sent", { detail: { iframe: entry.iframe, reason } }));
  }
}
