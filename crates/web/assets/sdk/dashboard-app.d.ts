// TypeScript declarations for Switchboard's dashboard-app SDK (/sdk/dashboard-app.js) and the
// context it delivers. The payload interfaces mirror /schemas/app-context.json one for one: a
// test in Switchboard (crates/web/src/sdk.rs) fails when a property, its type or whether it is
// optional differs from the schema. TypeScript does not fetch URLs: save this file (say as
// types/dashboard-app.d.ts) and map the URL you import to it in tsconfig.json,
//   "paths": { "https://switchboard.example/sdk/dashboard-app.js": ["./types/dashboard-app.d.ts"] }
// or, in plain JS, annotate: /** @type {import("./types/dashboard-app").AppContext} */.

// ---- The payload (app-context.schema.json) -----------------------------------------------

/** The message a host posts to the frame (as a JSON string), parsed. */
export interface AppContext {
  event: "appContext";
  data: ConversationData | ContactData | SidebarData;
  /** Switchboard: a JWT for your backend: EdDSA (keys at /.well-known/jwks.json) or HS256 (your app's secret). */
  token?: string;
  /** Switchboard: why this context was sent, numbered per frame. */
  meta?: ContextMeta;
  /** Switchboard: the app's non-secret installation settings, by key (secrets never appear). */
  settings?: Record<string, unknown>;
}

/** A conversation's context: its tab (Chatwoot's) or, in Switchboard, the panel beside it. */
export interface ConversationData {
  conversation: Conversation;
  contact: Contact;
  currentAgent: Agent;
  /** Chatwoot since #15660: the account's custom attribute definitions. */
  customAttributeDefinitions?: CustomAttributeDefinition[];
  /** Chatwoot since #15660: the agent's resolved theme. */
  theme?: "light" | "dark";
}

/** Switchboard: the context of an app on a contact's page: the contact and their conversations
 * (those the agent may see, most recent first). */
export interface ContactData {
  contact: Contact;
  conversations: Conversation[];
  currentAgent: Agent;
  customAttributeDefinitions?: CustomAttributeDefinition[];
  theme?: "light" | "dark";
}

/** Switchboard: a sidebar app's context (a page of its own, beside no conversation). */
export interface SidebarData {
  currentAgent: Agent;
  account: Account;
  customAttributeDefinitions?: CustomAttributeDefinition[];
  theme?: "light" | "dark";
}

/** As `GET /api/v1/accounts/{id}/custom_attribute_definitions` lists it. */
export interface CustomAttributeDefinition {
  id: number;
  attribute_display_name: string;
  attribute_display_type: "text" | "number" | "currency" | "percent" | "link" | "date" | "list" | "checkbox";
  attribute_description: string | null;
  attribute_key: string;
  regex_pattern: string | null;
  regex_cue: string | null;
  attribute_values: string[];
  attribute_model: "conversation_attribute" | "contact_attribute";
  /** Always null (Chatwoot never writes it). */
  default_value: number | null;
  created_at: string;
  updated_at: string;
}

export interface Agent {
  id: number;
  name: string;
  email: string;
}

export interface Account {
  id: number;
  name: string;
}

export interface ContextMeta {
  /** Grows with every context this frame receives; the SDK drops lower ones. */
  seq: number;
  /** "load", "fetch-info", "ready" or the event name, e.g. "message.created". */
  reason: string;
  protocol: 1;
}

export interface SocialProfiles {
  github?: string;
  twitter?: string;
  facebook?: string;
  linkedin?: string;
}

export interface ContactAdditionalAttributes {
  description?: string;
  company_name?: string;
  social_profiles?: SocialProfiles;
}

export interface Contact {
  additional_attributes: ContactAdditionalAttributes;
  availability_status: string;
  email: string | null;
  id: number;
  name: string | null;
  phone_number: string | null;
  identifier: string | null;
  thumbnail: string;
  custom_attributes: Record<string, unknown>;
  /** Epoch seconds. */
  last_activity_at: number | null;
}

export interface Assignee {
  id: number;
  account_id: number;
  availability_status: string;
  auto_offline: boolean;
  confirmed: boolean;
  email: string;
  available_name: string;
  name: string;
  role: "agent" | "administrator";
  thumbnail: string;
}

export interface MessageSender {
  id: number;
  name: string | null;
  type: "contact" | "user" | "agent_bot";
  email?: string | null;
  identifier?: string | null;
  phone_number?: string | null;
  thumbnail?: string;
  additional_attributes?: Record<string, unknown>;
  custom_attributes?: Record<string, unknown>;
}

export interface Message {
  id: number;
  content: string | null;
  inbox_id: number;
  /** The conversation's display id. */
  conversation_id: number;
  /** 0 incoming, 1 outgoing, 2 activity, 3 template. */
  message_type: 0 | 1 | 2 | 3;
  content_type: string;
  content_attributes: Record<string, unknown>;
  /** Epoch seconds. */
  created_at: number;
  private: boolean;
  source_id: string | null;
  sender?: MessageSender;
  /** The message's files (Chatwoot's `Attachment#push_event_data`). */
  attachments?: Attachment[];
}

/** A file on a message. Its links are signed and expire within about a day: fetch them soon. */
export interface Attachment {
  id: number;
  message_id: number;
  file_type: "image" | "audio" | "video" | "file";
  account_id: number;
  extension: string | null;
  /** The file, on Switchboard's origin; works without a session. */
  data_url: string;
  /** A 250px PNG thumbnail, or "" when the file has none. */
  thumb_url: string;
  file_size: number;
  width: number | null;
  height: number | null;
}

export interface ConversationMeta {
  sender: Contact;
  channel: string;
  /** Absent when nobody is assigned. */
  assignee?: Assignee;
  hmac_verified: boolean | null;
}

export interface Conversation {
  meta: ConversationMeta;
  /** The conversation's number in the account (what agents see as #7). */
  id: number;
  messages: Message[];
  account_id: number;
  additional_attributes: Record<string, unknown>;
  agent_last_seen_at: number;
  assignee_last_seen_at: number;
  can_reply: boolean;
  contact_last_seen_at: number;
  custom_attributes: Record<string, unknown>;
  inbox_id: number;
  labels: string[];
  muted: boolean;
  snoozed_until: string | null;
  status: "open" | "resolved" | "pending" | "snoozed";
  timestamp: number;
  unread_count: number;
  allMessagesLoaded: boolean;
  dataFetched: boolean;
}

// ---- The SDK (dashboard-app.js) ------------------------------------------------------------

export interface ConnectOptions {
  /** Accept messages only from this origin, e.g. "https://support.example.com". */
  hostOrigin?: string;
  /** Milliseconds to wait for the first context (default 10000). */
  contextTimeout?: number;
  /** Milliseconds to wait for an action's result (default 10000). */
  actionTimeout?: number;
}

/** What `request()` asks the host's server to send. `url`, header values and `body` may hold
 * `{{settings.key}}` and `{{secret.key}}`, filled in on the server; the url's host must be on
 * the app's request hosts (https only unless the operator allows http). */
export interface AppRequest {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD";
  url: string;
  headers?: Record<string, string>;
  /** Text; an object is sent as JSON. */
  body?: string | Record<string, unknown>;
}

/** The remote service's answer, every secret replaced by "[secret]"; redirects are returned,
 * not followed. */
export interface AppResponse {
  status: number;
  /** Lowercase names; set-cookie left out. */
  headers: Record<string, string>;
  /** The body as text. */
  body: string;
}

export interface NotifyOptions {
  level?: "info" | "success" | "warning" | "error";
}

/**
 * Every action a host may perform for an app, with its fields (besides `event` and `id`). Kept
 * equal to Switchboard's registry of actions (`domain::app_capability`) by a test.
 */
export interface ActionPayloads {
  "insert-reply": { text: string };
  "replace-reply": { text: string };
  "notify": { text: string; level?: "info" | "success" | "warning" | "error" };
  "add-label": { labels: string[] };
  "remove-label": { labels: string[] };
  "set-custom-attributes": { target: "conversation" | "contact"; attributes: Record<string, unknown> };
  "add-private-note": { content: string };
  "assign": { assignee_id?: number | null; team_id?: number | null };
  "set-status": { status: "open" | "resolved" | "pending" | "snoozed"; snoozed_until?: number };
  "open": { conversation_id?: number; contact_id?: number };
  "open-modal": { url: string; title?: string };
  "close-modal": {};
  "resize": { height: number };
}

/** An action's name. */
export type ActionName = keyof ActionPayloads;

/** An action as posted to the host: `{event, id, ...fields}`. */
export type ActionMessage<A extends ActionName = ActionName> = { event: A; id: string | number } & ActionPayloads[A];

/** The host's answer to an action, to the frame that asked. */
export interface ActionResult {
  /** `<action>:result`. */
  event: string;
  id: string | number;
  ok: boolean;
  error: "not_allowed" | "invalid" | "forbidden" | "rate_limited" | "unavailable" | null;
  message?: string;
}

export type DashboardAppErrorCode =
  | "not_allowed"
  | "invalid"
  | "forbidden"
  | "rate_limited"
  | "unavailable"
  | "timeout"
  | "no_context"
  | "not_in_frame"
  | "closed";

export class DashboardAppError extends Error {
  readonly code: DashboardAppErrorCode;
}

export class DashboardApp {
  constructor(options?: ConnectOptions);
  /** The latest delivered context, or null before the first. */
  readonly latest: AppContext | null;
  /** The latest context's token, or null. */
  readonly token: string | null;
  /** Called for every context (stale ones dropped), at once with the latest; returns an unsubscribe function. */
  onContext(callback: (context: AppContext) => void): () => void;
  /** The latest context, or the first to arrive; rejects with "no_context" after the bound. */
  context(): Promise<AppContext>;
  /** Asks the host again; resolves with the next context. */
  refresh(): Promise<AppContext>;
  /** A freshly signed token for your backend, without a new context; rejects with "timeout" on
   * a host that does not answer token requests (Chatwoot), "unavailable" when the app has none. */
  getToken(): Promise<string>;
  /** Has the host's server send an HTTP request for the app, secrets filled in there; rejects
   * with "invalid" (a host not allowed, a value missing), "forbidden", "rate_limited",
   * "unavailable" or "timeout". */
  request(request: AppRequest): Promise<AppResponse>;
  /** Puts text in the agent's reply box for review; rejects with the host's error code. */
  insertReply(text: string): Promise<void>;
  /** Shows a short notice in the host's UI. */
  notify(text: string, options?: NotifyOptions): Promise<void>;
  /** Replaces the reply box's draft with text, for the agent to review. */
  replaceReply(text: string): Promise<void>;
  /** Adds labels to the conversation, as the agent. */
  addLabel(labels: string | string[]): Promise<void>;
  /** Removes labels from the conversation, as the agent. */
  removeLabel(labels: string | string[]): Promise<void>;
  /** Sets custom attributes of the conversation or its contact, keeping the others. */
  setCustomAttributes(target: "conversation" | "contact", attributes: Record<string, unknown>): Promise<void>;
  /** Adds a private note to the conversation, by the agent. */
  addPrivateNote(content: string): Promise<void>;
  /** Assigns the conversation to an agent and/or a team; null unassigns. */
  assign(options: { assigneeId?: number | null; teamId?: number | null }): Promise<void>;
  /** Sets the status; snoozedUntil in epoch seconds, with "snoozed". */
  setStatus(status: "open" | "resolved" | "pending" | "snoozed", options?: { snoozedUntil?: number }): Promise<void>;
  /** Opens a conversation (its number in the account) or a contact in the host. */
  open(target: { conversationId: number } | { contactId: number }): Promise<void>;
  /** Opens a page of the app's own origin in a modal over the host's page. */
  openModal(url: string, options?: { title?: string }): Promise<void>;
  /** Closes the modal the app opened. */
  closeModal(): Promise<void>;
  /** Sets this frame's height in CSS pixels (kept within 80 to 4000). */
  resize(height: number): Promise<void>;
  /** Sizes the frame to the element's height (default: the body) whenever it changes; returns a stop function. */
  autoResize(element?: Element): () => void;
  close(): void;
}

export function connect(options?: ConnectOptions): DashboardApp;
