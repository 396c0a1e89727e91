// The app → host half of the dashboard-app protocol: which messages from a frame the host acts
// on. One parser for the conversation page, sidebar apps and the playground, kept free of the
// DOM so it can be property-tested on its own.
//
// Context requests (Chatwoot's): "chatwoot-dashboard-app:fetch-info" — and the home-made
// "chatwoot-dashboard-app:ready" — as a bare string, a JSON-wrapped string or an object.
// Token requests (ours): "chatwoot-dashboard-app:token", the same three ways (an object may carry
// an `id`), answered with a fresh token alone, no new context.
// Proxied requests (ours): `{"event": "chatwoot-dashboard-app:request", id, method, url, headers,
// body}`, sent by the host to the server (which fills the app's settings and secrets in) and
// answered `{"event": "chatwoot-dashboard-app:request:result", id, ok, error, response}`.
// Actions (ours): `{"event": <one of ACTIONS>, "id": …, …}` as an object or a JSON string;
// what each takes and needs is defined once in the server's registry
// (`domain::app_capability`), which a test keeps these lists equal to.
// Anything else is not for us: apps and browser extensions post all sorts of messages.

/** The version of the protocol the host speaks; sent in every context's `meta`. */
export const PROTOCOL_VERSION = 1;

/** The actions an app may ask of the host, each off until an administrator allows it. */
export const ACTIONS = Object.freeze(["insert-reply", "replace-reply", "notify", "add-label", "remove-label", "set-custom-attributes", "add-private-note", "assign", "set-status", "open", "open-modal", "close-modal", "resize"]);

/** The actions the server performs (`POST …/conversations/{id}/app_actions`), as the agent. */
export const SERVER_ACTIONS = Object.freeze(["add-label", "remove-label", "set-custom-attributes", "add-private-note", "assign", "set-status"]);

/** The longest text each text action accepts. */
export const TEXT_LIMITS = Object.freeze({ "insert-reply": 10_000, "replace-reply": 10_000, notify: 500 });

/** The levels a notice may have. */
export const NOTIFY_LEVELS = Object.freeze(["info", "success", "warning", "error"]);

/** The heights `resize` may set, in CSS pixels; others are brought within them. */
export const FRAME_HEIGHT = Object.freeze({ min: 80, max: 4000 });

/** The longest modal title. */
const MAX_TITLE = 200;

/** A refusal with the code the frame is answered with (`not_allowed`, `invalid`, `forbidden`,
 * `rate_limited`, `unavailable`). */
export class ActionError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** A frame's request for a fresh token. */
export const TOKEN_EVENT = "chatwoot-dashboard-app:token";

/** A frame's HTTP request for the server to send (the request proxy). */
export const PROXY_EVENT = "chatwoot-dashboard-app:request";

const REQUEST_EVENTS = new Set([
  "chatwoot-dashboard-app:fetch-info",
  "chatwoot-dashboard-app:ready",
]);

/** The longest message the host will JSON-parse; anything longer is not a request. */
const MAX_MESSAGE_LENGTH = 64 * 1024;

function isPlainObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `event.data` as a value: strings that hold JSON are parsed, other strings stay strings. */
function unwrap(data) {
  if (typeof data !== "string") return data;
  if (REQUEST_EVENTS.has(data) || data === TOKEN_EVENT || data.length > MAX_MESSAGE_LENGTH) return data;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

/**
 * What a frame's message asks of the host, or null when it asks nothing:
 * - `{ kind: "request", event }` for a context request (`event` is the name the app used);
 * - `{ kind: "token", id }` for a token request (`id` as sent, or null);
 * - `{ kind: "proxy", id, payload }` for a proxied HTTP request (`payload` the whole object);
 * - `{ kind: "action", event, id, payload }` for an action, `payload` being the whole object.
 *   Whether the action is allowed and its payload valid is the host's to decide (it answers
 *   every action, refusals included), so malformed actions are still returned here.
 */
export function parseAppMessage(data) {
  const value = unwrap(data);
  if (typeof value === "string") {
    if (value === TOKEN_EVENT) return { kind: "token", id: null };
    return REQUEST_EVENTS.has(value) ? { kind: "request", event: value } : null;
  }
  if (!isPlainObject(value) || typeof value.event !== "string") return null;
  if (REQUEST_EVENTS.has(value.event)) return { kind: "request", event: value.event };
  if (value.event === TOKEN_EVENT) return { kind: "token", id: actionId(value.id) };
  if (value.event === PROXY_EVENT) return { kind: "proxy", id: actionId(value.id), payload: value };
  if (ACTIONS.includes(value.event)) {
    return { kind: "action", event: value.event, id: actionId(value.id), payload: value };
  }
  return null;
}

/** The id an action is answered with: strings and finite numbers as sent, anything else null. */
function actionId(id) {
  if (typeof id === "string" && id.length <= 200) return id;
  if (typeof id === "number" && Number.isFinite(id)) return id;
  return null;
}

/** Why an action's payload is unusable, or null when it is fine. The fields of the actions
 * the server performs are the server's to judge (it names the field in its answer). */
export function invalidAction({ event, id, payload }) {
  if (id === null) return "id must be a string (at most 200 characters) or a number";
  if (event in TEXT_LIMITS) {
    if (typeof payload.text !== "string" || payload.text.trim() === "") return "text must be a non-empty string";
    if (payload.text.length > TEXT_LIMITS[event]) return `text must be at most ${TEXT_LIMITS[event]} characters`;
  }
  if (event === "notify" && payload.level !== undefined && !NOTIFY_LEVELS.includes(payload.level)) {
    return `level must be one of ${NOTIFY_LEVELS.join(", ")}`;
  }
  if (event === "open") {
    const targets = ["conversation_id", "contact_id"].filter((key) => payload[key] !== undefined && payload[key] !== null);
    if (targets.length !== 1) return "give exactly one of conversation_id and contact_id";
    const value = payload[targets[0]];
    if (!Number.isSafeInteger(value) || value <= 0) return `${targets[0]} must be a positive integer`;
  }
  if (event === "open-modal") {
    if (typeof payload.url !== "string" || payload.url === "") return "url must be a non-empty string";
    if (payload.title !== undefined && (typeof payload.title !== "string" || payload.title.length > MAX_TITLE)) {
      return `title must be a string of at most ${MAX_TITLE} characters`;
    }
  }
  if (event === "resize" && (typeof payload.height !== "number" || !Number.isFinite(payload.height))) {
    return "height must be a number of CSS pixels";
  }
  return null;
}

/** The host's answer to an action, as the JSON string it posts. */
export function actionResult(event, id, error = null) {
  const answer = { event: `${event}:result`, id, ok: error === null, error: error ? error.code : null };
  if (error) answer.message = error.message;
  return JSON.stringify(answer);
}

/** What of a proxied request's payload the server is sent: method, url, headers, body, each only
 * when it has the right type (the server judges the rest and names the field). */
export function proxyRequestFields({ method, url, headers, body }) {
  const fields = { url: typeof url === "string" ? url : "" };
  if (typeof method === "string") fields.method = method;
  if (headers && typeof headers === "object" && !Array.isArray(headers)) fields.headers = headers;
  if (typeof body === "string") fields.body = body;
  return fields;
}
