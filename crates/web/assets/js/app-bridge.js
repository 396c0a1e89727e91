// The dashboard-app bridge: creates app frames, posts them the `appContext` string on every
// `load`, and answers their requests and actions — to that frame only, at its pinned origin.
//
// Compatibility (Chatwoot's protocol, and what apps in the wild do):
// - the context is a JSON *string*; apps call JSON.parse(event.data);
// - requests are "chatwoot-dashboard-app:fetch-info" as a bare string, a JSON-wrapped string or
//   an object with that `event`; the home-made "chatwoot-dashboard-app:ready" counts the same;
// - a request that arrives before the frame's `load` is answered too;
// - an app that sends no action is sent nothing but contexts: no pings, no objects.
// Pinned origins: we post to the app URL's origin, never "*", and ignore messages whose source
// is not a frame we created or whose origin is not that frame's app origin.
// Live context (ours): `push(reason)` sends every frame a fresh context when the conversation
// changes, at most one per 100 ms per frame. Every context we send carries a top-level
// `meta: {seq, reason, protocol: 1}`, `seq` strictly increasing per frame; apps that do not know
// it ignore the extra key.
// Actions (ours): those of `ACTIONS`, each performed only when an administrator allowed it for
// the app, and each answered `{"event": "<action>:result", id, ok, error}` — refusals too, so an
// app never waits in vain. The bridge itself does what concerns frames (`resize`, `open-modal`,
// `close-modal`); the page supplies the rest (`actions`), the server-side ones included.
//
// Theme (as Chatwoot since #15660): every context's `data.theme` is the agent's resolved theme,
// "light" or "dark", and a switch sends every frame a fresh context (reason "theme.changed").
// Tokens (ours): a "chatwoot-dashboard-app:token" request is answered, to the asking frame only,
// with `{"event": "chatwoot-dashboard-app:token", id, token}`: a freshly signed token and no new
// context, so an app's backend calls stay authorised past a token's lifetime.
//
// Proxied requests (ours): a "chatwoot-dashboard-app:request" is handed to the page's
// `proxyRequest` (which posts it to the server's request proxy with the agent's session) and
// answered, to the asking frame only, `{"event": "chatwoot-dashboard-app:request:result", id, ok,
// error, message, response: {status, headers, body}}`. The frame never sees a secret: the server
// fills them in and scrubs them from the answer.
//
// Hooks for tools (the playground): `loadContext` replaces the context fetch, and the bridge
// dispatches "received" for every message accepted from a frame and "sent" for every message
// posted to one.

import {
  ActionError,
  FRAME_HEIGHT,
  PROTOCOL_VERSION,
  PROXY_EVENT,
  TOKEN_EVENT,
  actionResult,
  invalidAction,
  parseAppMessage,
  proxyRequestFields,
} from "./app-protocol.js";
import { currentTheme } from "./theme.js";

/** The least time between two pushed updates to one frame. */
const PUSH_INTERVAL_MS = 100;

/** Actions one frame may ask for within ACTION_WINDOW_MS; beyond it they are refused, so a
 * looping app cannot flood the agent with notices. */
const ACTION_BURST = 10;
const ACTION_WINDOW_MS = 10_000;

/**
 * What an app frame may do: run scripts on its own origin (storage, cookies), submit forms,
 * open popups that are not sandboxed themselves (sign-in windows, links), show dialogs and
 * download files. Left out: `allow-top-navigation*`, so an app can never take over the agent's
 * tab.
 */
export const APP_FRAME_SANDBOX =
  "allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox allow-modals allow-downloads";

export class AppBridge extends EventTarget {
  /**
   * @param {string} contextUrl the JSON endpoint serving the appContext (`?app_id=` is added)
   * @param {object} [options]
   * @param {(appId: string, options: {fresh: boolean}) => Promise<string>} [options.loadContext]
   *   replaces the fetch of `contextUrl`: resolves to the context as a JSON string
   * @param {Record<string, (payload: object, frame: {appId: string, title: string}) => unknown>}
   *   [options.actions] what each action does on this page; an action without one is answered
   *   "unavailable"
   * @param {(appId: string, request: object) => Promise<{ok: boolean, status: number, data: object}>}
   *   [options.proxyRequest] sends an app's HTTP request through the server's request proxy;
   *   without it, such requests are answered "unavailable"
   */
  constructor(contextUrl, { loadContext = null, actions = {}, proxyRequest = null } = {}) {
    super();
    this.contextUrl = contextUrl;
    this.loadContext = loadContext;
    this.actions = actions;
    this.proxyRequest = proxyRequest;
    this.frames = [];
    /** The open modal, `{dialog, entry, opener}`, or null: one at a time per page. */
    this.modal = null;
    /** What the bridge does itself, before the page's `actions`. */
    this.builtins = {
      resize: (payload, _app, entry) => this.resize(entry, payload.height),
      "open-modal": (payload, _app, entry) => this.openModal(entry, payload),
      "close-modal": () => {
        if (!this.closeModal()) throw new ActionError("unavailable", "no modal is open");
      },
    };
    /** appId → the context fetch in flight for that app (each app gets its own token). */
    this.inflight = new Map();
    this.listener = (event) => this.onMessage(event);
    window.addEventListener("message", this.listener);
    this.themeListener = () => this.push("theme.changed");
    document.addEventListener("switchboard:theme", this.themeListener);
  }

  /** Stops answering (the conversation's frames are gone). */
  close() {
    this.closeModal();
    window.removeEventListener("message", this.listener);
    document.removeEventListener("switchboard:theme", this.themeListener);
    for (const entry of this.frames) clearTimeout(entry.timer);
    this.frames = [];
  }

  /** Creates an iframe for `url` in `container` and starts serving it. */
  createFrame(container, { url, origin }, title, appId, { allowedActions = [] } = {}) {
    const iframe = document.createElement("iframe");
    iframe.className = "dashboard-app-frame";
    iframe.title = title;
    // Set before `src`: sandbox flags apply from the frame's next navigation on.
    iframe.setAttribute("sandbox", APP_FRAME_SANDBOX);
    iframe.setAttribute("allow", "clipboard-read; clipboard-write");
    iframe.referrerPolicy = "strict-origin-when-cross-origin";
    const entry = {
      iframe,
      origin,
      appId,
      title,
      allowed: new Set(allowedActions),
      recentActions: [],
      sent: 0,
      seq: 0,
      lastPush: 0,
      timer: null,
      reason: null,
    };
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
    const message = parseAppMessage(event.data);
    this.dispatchEvent(
      new CustomEvent("received", { detail: { iframe: entry.iframe, appId: entry.appId, data: event.data, message } }),
    );
    if (message?.kind === "request") this.send(entry, message.event.replace("chatwoot-dashboard-app:", ""));
    if (message?.kind === "action") this.act(entry, message);
    if (message?.kind === "token") this.sendToken(entry, message.id);
    if (message?.kind === "proxy") this.proxy(entry, message);
  }

  /** Has the server send an app's HTTP request, and answers the frame with the response or
   * why there is none. */
  async proxy(entry, { id, payload }) {
    const event = `${PROXY_EVENT}:result`;
    const answer = (fields) => this.post(entry, JSON.stringify({ event, id, ...fields }), event);
    if (id === null) return answer({ ok: false, error: "invalid", message: "id must be a string or a number" });
    if (!this.proxyRequest) {
      return answer({ ok: false, error: "unavailable", message: "requests are not available on this page" });
    }
    const result = await this.proxyRequest(entry.appId, proxyRequestFields(payload));
    if (result.ok) return answer({ ok: true, error: null, response: result.data });
    const code = { 401: "forbidden", 404: "forbidden", 422: "invalid", 429: "rate_limited" }[result.status] || "unavailable";
    const data = result.data || {};
    return answer({ ok: false, error: code, message: data.message || data.error || `request failed (${result.status})` });
  }

  /** Answers a token request with a freshly signed token (`token` null when the app has none). */
  async sendToken(entry, id) {
    let token = null;
    try {
      const context = JSON.parse(await this.context(entry.appId, { fresh: true }));
      token = typeof context.token === "string" ? context.token : null;
    } catch (error) {
      this.dispatchEvent(new CustomEvent("error", { detail: error }));
    }
    this.post(entry, JSON.stringify({ event: TOKEN_EVENT, id, token }), TOKEN_EVENT);
  }

  /** Performs an action if it is allowed, valid and not one too many, and answers it. */
  async act(entry, message) {
    const { event, id, payload } = message;
    const refuse = (code, text) => this.post(entry, actionResult(event, id, { code, message: text }), `${event}:result`);
    const invalid = invalidAction(message);
    if (invalid) return refuse("invalid", invalid);
    if (!entry.allowed.has(event)) {
      return refuse("not_allowed", `${event} is not allowed for this app; an administrator can allow it in Settings › Dashboard apps`);
    }
    const now = Date.now();
    entry.recentActions = entry.recentActions.filter((at) => now - at < ACTION_WINDOW_MS);
    if (entry.recentActions.length >= ACTION_BURST) {
      return refuse("rate_limited", `at most ${ACTION_BURST} actions per ${ACTION_WINDOW_MS / 1000} seconds`);
    }
    entry.recentActions.push(now);
    const perform = this.builtins[event] || this.actions[event];
    if (!perform) return refuse("unavailable", `${event} is not available on this page`);
    try {
      await perform(payload, { appId: entry.appId, title: entry.title }, entry);
    } catch (error) {
      const code = error instanceof ActionError ? error.code : "unavailable";
      return refuse(code, error instanceof Error ? error.message : String(error));
    }
    return this.post(entry, actionResult(event, id), `${event}:result`);
  }

  /** Sets a frame's height, brought within FRAME_HEIGHT. */
  resize(entry, height) {
    const bounded = Math.round(Math.min(FRAME_HEIGHT.max, Math.max(FRAME_HEIGHT.min, height)));
    entry.iframe.style.height = `${bounded}px`;
    entry.iframe.style.minHeight = "0";
    entry.iframe.style.flex = "0 0 auto";
    entry.iframe.dataset.height = String(bounded);
  }

  /** Opens `url`, a page of the asking app's own origin, in a modal over the page: a frame
   * sandboxed and served like the app's others (its context, its allowed actions). It closes by
   * Escape, its close button, or `close-modal` from the app. */
  openModal(opener, { url, title }) {
    let target;
    try {
      target = new URL(url, opener.origin);
    } catch {
      throw new ActionError("invalid", "url must be a URL");
    }
    if (target.origin !== opener.origin) {
      throw new ActionError("invalid", `url must be on the app's own origin (${opener.origin})`);
    }
    this.closeModal();
    const heading = title || opener.title;
    const dialog = document.createElement("dialog");
    dialog.className = "dialog app-modal";
    const header = document.createElement("header");
    header.className = "app-modal-header";
    const h2 = document.createElement("h2");
    h2.id = `app-modal-title-${opener.appId}`;
    h2.textContent = heading;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "btn btn-ghost app-modal-close";
    close.setAttribute("aria-label", "Close");
    close.textContent = "×";
    close.addEventListener("click", () => dialog.close());
    header.append(h2, close);
    const body = document.createElement("div");
    body.className = "app-modal-body";
    dialog.setAttribute("aria-labelledby", h2.id);
    dialog.append(header, body);
    document.body.append(dialog);
    const iframe = this.createFrame(body, { url: target.href, origin: opener.origin }, heading, opener.appId, {
      allowedActions: [...opener.allowed],
    });
    iframe.dataset.appId = String(opener.appId);
    iframe.dataset.appModal = "true";
    const entry = this.frames[this.frames.length - 1];
    const teardown = () => {
      if (this.modal?.dialog !== dialog) return;
      this.modal = null;
      this.frames = this.frames.filter((other) => other !== entry);
      clearTimeout(entry.timer);
      dialog.remove();
      document.body.dataset.appModal = "closed";
    };
    this.modal = { dialog, teardown };
    // Escape and the close button close the dialog; `close-modal` tears it down at once.
    dialog.addEventListener("close", teardown);
    dialog.showModal();
    document.body.dataset.appModal = "open";
  }

  /** Closes the open modal; with none open, refuses. */
  closeModal() {
    if (!this.modal) return false;
    const { dialog, teardown } = this.modal;
    dialog.close();
    teardown();
    return true;
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
      const request = (this.loadContext ? this.loadContext(appId, { fresh }) : this.fetchContext(appId)).finally(() => {
        if (this.inflight.get(key) === request) this.inflight.delete(key);
      });
      this.inflight.set(key, request);
    }
    return this.inflight.get(key);
  }

  async fetchContext(appId) {
    const url = appId === undefined ? this.contextUrl : `${this.contextUrl}?app_id=${encodeURIComponent(appId)}`;
    const response = await fetch(url, { credentials: "same-origin", headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(`context request failed: ${response.status}`);
    return response.text();
  }

  async send(entry, reason, options = {}) {
    let body;
    try {
      body = await this.context(entry.appId, options);
    } catch (error) {
      this.dispatchEvent(new CustomEvent("error", { detail: error }));
      return;
    }
    if (!entry.iframe.contentWindow) return;
    entry.seq += 1;
    const context = JSON.parse(body);
    if (context.data && typeof context.data === "object") context.data.theme = currentTheme();
    const message = JSON.stringify({ ...context, meta: { seq: entry.seq, reason, protocol: PROTOCOL_VERSION } });
    if (this.post(entry, message, reason)) {
      entry.sent += 1;
      entry.iframe.dataset.contextSent = String(entry.sent);
    }
  }

  /** Posts `payload` (a JSON string) to the frame at its pinned origin: if the frame is now on
   * another origin, the browser drops it. */
  post(entry, payload, reason) {
    const target = entry.iframe.contentWindow;
    if (!target) return false;
    target.postMessage(payload, entry.origin);
    this.dispatchEvent(
      new CustomEvent("sent", { detail: { iframe: entry.iframe, appId: entry.appId, reason, payload } }),
    );
    return true;
  }
}
