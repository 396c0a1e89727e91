// Switchboard's SDK for dashboard-app authors: an ES module, no build step, no dependencies.
//
//   import { connect } from "https://switchboard.example/sdk/dashboard-app.js";
//   const app = connect();
//   app.onContext(({ data, token }) => render(data.conversation, data.contact));
//   await app.insertReply("Your order ships today.");
//
// What it does for you, over the Dashboard Apps protocol (docs/dashboard-apps.md):
// - asks the host for the context ("chatwoot-dashboard-app:fetch-info") at once and again with
//   backoff until the first context arrives, and gives up with a clear error after a bound;
// - drops a context older than one already delivered (by the host's `meta.seq`); contexts
//   without `meta` (Chatwoot and older hosts) are always delivered;
// - accepts messages only from `window.parent` (and, with `hostOrigin`, only from that origin),
//   and posts actions only to the origin that sent the first context;
// - sends actions (`insertReply`, `addLabel`, `setStatus`, `openModal`, `resize` …, one method
//   each) with an id and settles each promise from the host's `<action>:result` answer with the
//   same id, or rejects after a timeout.
// - `getToken()` asks for a freshly signed token ("chatwoot-dashboard-app:token") and settles
//   from the host's answer with the same id.
// - `request({method, url, headers, body})` has the host's server send an HTTP request for the
//   app ("chatwoot-dashboard-app:request"), with `{{settings.key}}` and `{{secret.key}}` filled
//   in there, and resolves with `{status, headers, body}`: secrets never reach the browser.
// It works unchanged on a Chatwoot host, which sends contexts but answers no actions (those
// reject with code "timeout").

const FETCH_INFO = "chatwoot-dashboard-app:fetch-info";
const TOKEN = "chatwoot-dashboard-app:token";
const PROXY = "chatwoot-dashboard-app:request";
const LEVELS = ["info", "success", "warning", "error"];
/** First retry delay; each next one doubles, until the context arrives or the bound passes. */
const FIRST_RETRY_MS = 250;

/** A failure the SDK reports; `code` is the host's `error` ("not_allowed", "invalid",
 * "forbidden", "rate_limited", "unavailable") or the SDK's own ("timeout", "no_context", "not_in_frame",
 * "closed"). */
export class DashboardAppError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "DashboardAppError";
    this.code = code;
  }
}

/** The context message in `data` (a JSON string posted by the host), or null. */
function parseMessage(data) {
  if (typeof data !== "string") return null;
  try {
    const message = JSON.parse(data);
    return message && typeof message === "object" && !Array.isArray(message) ? message : null;
  } catch {
    return null;
  }
}

export class DashboardApp {
  /**
   * @param {object} [options]
   * @param {string} [options.hostOrigin] accept messages only from this origin (e.g.
   *   "https://support.example.com"); without it, any origin the parent window is on.
   * @param {number} [options.contextTimeout=10000] ms to wait for the first context.
   * @param {number} [options.actionTimeout=10000] ms to wait for an action's result.
   */
  constructor({ hostOrigin, contextTimeout = 10000, actionTimeout = 10000 } = {}) {
    this.hostOrigin = hostOrigin ? new URL(hostOrigin).origin : null;
    this.contextTimeout = contextTimeout;
    this.actionTimeout = actionTimeout;
    /** The latest delivered context message, and the highest `meta.seq` delivered. */
    this.latest = null;
    this.lastSeq = 0;
    /** The origin the first context came from: where actions are posted (never "*"). */
    this.origin = this.hostOrigin;
    this.listeners = new Set();
    /** Resolvers of `context()`/`refresh()` calls waiting for a context. */
    this.waiters = new Set();
    /** Action id → {event, resolve, reject, timer}. */
    this.pending = new Map();
    this.nextId = 1;
    // Ids unique across SDK instances in one page, since every instance sees every result.
    this.idPrefix = `sb-${Math.random().toString(36).slice(2, 8)}`;
    this.failure = null;
    this.closed = false;
    this.timers = new Set();

    this.inFrame = typeof window !== "undefined" && window.parent && window.parent !== window;
    if (!this.inFrame) {
      this.failure = new DashboardAppError(
        "not_in_frame",
        "This page is not inside a dashboard-app frame: open it from a conversation in Switchboard (or Chatwoot).",
      );
      return;
    }
    this.listener = (event) => this.receive(event);
    window.addEventListener("message", this.listener);
    this.askUntilAnswered();
  }

  /** The latest context's signed token (a JWT for your backend), or null. */
  get token() {
    return (this.latest && typeof this.latest.token === "string" && this.latest.token) || null;
  }

  /**
   * Calls `callback(context)` for every context delivered from now on — and at once (in a
   * microtask) with the latest, if one arrived already. Returns a function that unsubscribes.
   */
  onContext(callback) {
    this.listeners.add(callback);
    const latest = this.latest;
    if (latest) queueMicrotask(() => this.listeners.has(callback) && this.call(callback, latest));
    return () => this.listeners.delete(callback);
  }

  /** The latest context, or the first one to arrive; rejects (code "no_context") when none
   * came within `contextTimeout`, or "not_in_frame" outside a frame. */
  context() {
    if (this.latest) return Promise.resolve(this.latest);
    return this.waitForContext();
  }

  /** Asks the host for a fresh context; resolves with the next one delivered. */
  refresh() {
    if (!this.inFrame) return Promise.reject(this.failure);
    const next = this.waitForContext({ orFailure: false });
    this.askForContext();
    return next;
  }

  /** A freshly signed token for your backend (the context's token expires after minutes),
   * without a new context. */
  async getToken() {
    // Like actions, token requests go only to the origin that sent a context.
    await this.context();
    if (this.closed) throw new DashboardAppError("closed", "The SDK was closed.");
    const id = `${this.idPrefix}-${this.nextId++}`;
    const answer = new Promise((resolve, reject) => {
      const timer = this.later(this.actionTimeout, () => {
        if (!this.pending.delete(id)) return;
        reject(new DashboardAppError("timeout", `No token within ${this.actionTimeout} ms (does this host answer token requests?).`));
      });
      this.pending.set(id, { event: TOKEN, resolve, reject, timer });
    });
    window.parent.postMessage(JSON.stringify({ event: TOKEN, id }), this.origin);
    return answer;
  }

  /**
   * Has the host's server send an HTTP request for your app and resolves with its answer,
   * `{status, headers, body}` (body as text). `url`, header values and `body` may hold
   * `{{settings.key}}` and `{{secret.key}}`, filled in on the server; the url's host must be on
   * the app's request hosts. Rejects with the host's code ("invalid", "forbidden",
   * "rate_limited", "unavailable") or "timeout". A non-2xx answer of the remote service
   * resolves (check `status`).
   */
  async request({ method = "GET", url, headers = {}, body } = {}) {
    if (typeof url !== "string" || url === "") {
      throw new DashboardAppError("invalid", "url must be a non-empty string");
    }
    if (body !== undefined && typeof body !== "string") body = JSON.stringify(body);
    await this.context();
    if (this.closed) throw new DashboardAppError("closed", "The SDK was closed.");
    const id = `${this.idPrefix}-${this.nextId++}`;
    const fields = { method, url, headers };
    if (body !== undefined) fields.body = body;
    return new Promise((resolve, reject) => {
      // The remote service has its own timeout on the server; this one also covers the host.
      const wait = this.actionTimeout + 15000;
      const timer = this.later(wait, () => {
        if (!this.pending.delete(id)) return;
        reject(new DashboardAppError("timeout", `No answer to request within ${wait} ms (does this host proxy requests?).`));
      });
      this.pending.set(id, { event: `${PROXY}:result`, resolve, reject, timer });
      window.parent.postMessage(JSON.stringify({ event: PROXY, id, ...fields }), this.origin);
    });
  }

  /** Puts `text` in the agent's reply box for them to review (the host never sends it). */
  insertReply(text) {
    return this.actWithText("insert-reply", { text });
  }

  /** Replaces the reply box's draft with `text`, for the agent to review. */
  replaceReply(text) {
    return this.actWithText("replace-reply", { text });
  }

  /** Shows `text` briefly in the host's UI; `level` is info, success, warning or error. */
  notify(text, { level = "info" } = {}) {
    if (!LEVELS.includes(level)) {
      return Promise.reject(new DashboardAppError("invalid", `level must be one of ${LEVELS.join(", ")}`));
    }
    return this.actWithText("notify", { text, level });
  }

  /** Adds labels to the conversation, as the agent (noted "via" your app). */
  addLabel(labels) {
    return this.act("add-label", { labels: [labels].flat() });
  }

  /** Removes labels from the conversation, as the agent. */
  removeLabel(labels) {
    return this.act("remove-label", { labels: [labels].flat() });
  }

  /** Sets custom attributes of the conversation or of its contact (`target`), keeping others. */
  setCustomAttributes(target, attributes) {
    return this.act("set-custom-attributes", { target, attributes });
  }

  /** Adds a private note to the conversation, by the agent. */
  addPrivateNote(content) {
    return this.act("add-private-note", { content });
  }

  /** Assigns the conversation: `{assigneeId, teamId}`, each a number or null (unassigns). */
  assign({ assigneeId, teamId } = {}) {
    const fields = {};
    if (assigneeId !== undefined) fields.assignee_id = assigneeId;
    if (teamId !== undefined) fields.team_id = teamId;
    return this.act("assign", fields);
  }

  /** Sets the status; `snoozedUntil` (epoch seconds) with "snoozed". */
  setStatus(status, { snoozedUntil } = {}) {
    const fields = { status };
    if (snoozedUntil !== undefined) fields.snoozed_until = snoozedUntil;
    return this.act("set-status", fields);
  }

  /** Opens a conversation (`conversationId`, its number in the account) or a contact in the host. */
  open({ conversationId, contactId } = {}) {
    const fields = {};
    if (conversationId !== undefined) fields.conversation_id = conversationId;
    if (contactId !== undefined) fields.contact_id = contactId;
    return this.act("open", fields);
  }

  /** Opens `url`, a page on your app's own origin, in a modal over the host's page. */
  openModal(url, { title } = {}) {
    const fields = { url: String(new URL(url, location.href)) };
    if (title !== undefined) fields.title = title;
    return this.act("open-modal", fields);
  }

  /** Closes the modal your app opened (from the modal or from the frame that opened it). */
  closeModal() {
    return this.act("close-modal", {});
  }

  /** Sets this frame's height in CSS pixels (the host keeps it within 80 to 4000). */
  resize(height) {
    return this.act("resize", { height });
  }

  /** Sizes this frame to its content now and whenever the content's size changes; returns a
   * function that stops it. */
  autoResize(element = document.body) {
    let last = 0;
    const fit = () => {
      const height = Math.ceil(element.scrollHeight);
      if (height === last) return;
      last = height;
      this.resize(height).catch(() => {});
    };
    const observer = new ResizeObserver(fit);
    observer.observe(element);
    fit();
    return () => observer.disconnect();
  }

  /** Stops listening; pending promises reject with code "closed". */
  close() {
    if (this.closed) return;
    this.closed = true;
    if (this.listener) window.removeEventListener("message", this.listener);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new DashboardAppError("closed", "The SDK was closed.");
    for (const waiter of this.waiters) waiter.reject(closed);
    this.waiters.clear();
    for (const [id, action] of this.pending) {
      clearTimeout(action.timer);
      action.reject(closed);
      this.pending.delete(id);
    }
  }

  // --- internals -------------------------------------------------------------------------

  askForContext() {
    // A request carries nothing secret, so before the host's origin is known it may go to "*"
    // (as Chatwoot's docs do); once known, it goes there only.
    window.parent.postMessage(FETCH_INFO, this.origin || "*");
  }

  later(ms, fn) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  /** Requests now, then after 250 ms, 500 ms, 1 s, 2 s … until a context arrives; fails the
   * waiters after `contextTimeout` (a context arriving later is still delivered). */
  askUntilAnswered() {
    const started = Date.now();
    const attempt = (delay) => {
      if (this.latest || this.closed) return;
      this.askForContext();
      if (Date.now() + delay < started + this.contextTimeout) this.later(delay, () => attempt(delay * 2));
    };
    attempt(FIRST_RETRY_MS);
    this.later(this.contextTimeout, () => {
      if (this.latest) return;
      this.failure = new DashboardAppError(
        "no_context",
        `No appContext from the host within ${this.contextTimeout} ms: is this page open as a dashboard app, and is hostOrigin (${this.hostOrigin || "not set"}) right?`,
      );
      for (const waiter of this.waiters) waiter.reject(this.failure);
      this.waiters.clear();
    });
  }

  waitForContext({ orFailure = true } = {}) {
    if (this.closed) return Promise.reject(new DashboardAppError("closed", "The SDK was closed."));
    if (orFailure && this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      this.waiters.add(waiter);
      if (!orFailure) {
        // A refresh has its own bound, whatever happened before.
        this.later(this.contextTimeout, () => {
          if (!this.waiters.delete(waiter)) return;
          reject(new DashboardAppError("no_context", `No answer to the request within ${this.contextTimeout} ms.`));
        });
      }
    });
  }

  receive(event) {
    if (event.source !== window.parent) return;
    if (this.hostOrigin && event.origin !== this.hostOrigin) return;
    const message = parseMessage(event.data);
    if (!message || typeof message.event !== "string") return;
    if (message.event === "appContext") this.deliver(message, event.origin);
    else if (message.event.endsWith(":result") || message.event === TOKEN) this.settle(message);
  }

  deliver(message, origin) {
    if (!message.data || typeof message.data !== "object") return;
    const seq = message.meta && Number.isInteger(message.meta.seq) ? message.meta.seq : null;
    // Stale: the host numbers the contexts of one frame; one lower than (or equal to) the last
    // delivered was overtaken, e.g. a slow answer to an early request after a live push.
    if (seq !== null) {
      if (seq <= this.lastSeq) return;
      this.lastSeq = seq;
    }
    this.latest = message;
    this.failure = null;
    if (!this.origin) this.origin = origin;
    for (const waiter of this.waiters) waiter.resolve(message);
    this.waiters.clear();
    for (const callback of [...this.listeners]) this.call(callback, message);
  }

  call(callback, message) {
    try {
      callback(message);
    } catch (error) {
      // One failing listener must not keep the others (or the SDK) from their context.
      console.error("dashboard-app SDK: an onContext callback threw", error);
    }
  }

  async actWithText(name, fields) {
    if (typeof fields.text !== "string" || fields.text.length === 0) {
      throw new DashboardAppError("invalid", "text must be a non-empty string");
    }
    return this.act(name, fields);
  }

  async act(name, fields) {
    // Actions go to the origin that sent a context, never "*": wait until there is one.
    await this.context();
    if (this.closed) throw new DashboardAppError("closed", "The SDK was closed.");
    const id = `${this.idPrefix}-${this.nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = this.later(this.actionTimeout, () => {
        if (!this.pending.delete(id)) return;
        reject(new DashboardAppError("timeout", `No answer to ${name} within ${this.actionTimeout} ms (does this host support actions?).`));
      });
      this.pending.set(id, { event: `${name}:result`, resolve, reject, timer });
      window.parent.postMessage(JSON.stringify({ event: name, id, ...fields }), this.origin);
    });
  }

  settle(message) {
    const action = this.pending.get(message.id);
    if (!action || action.event !== message.event) return;
    this.pending.delete(message.id);
    clearTimeout(action.timer);
    this.timers.delete(action.timer);
    if (message.event === TOKEN) {
      if (typeof message.token === "string" && message.token) action.resolve(message.token);
      else action.reject(new DashboardAppError("unavailable", "The host has no token for this app."));
    } else if (message.ok === true) {
      action.resolve(message.event === `${PROXY}:result` ? message.response : undefined);
    } else {
      const code = typeof message.error === "string" ? message.error : "unavailable";
      action.reject(new DashboardAppError(code, message.message || `The host refused ${message.event.replace(":result", "")}: ${code}`));
    }
  }
}

/** Starts the SDK: listens and requests the context at once. One per page is enough. */
export function connect(options) {
  return new DashboardApp(options);
}
