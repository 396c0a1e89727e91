// What dashboard-app actions do on the pages that host apps, beside what the bridge does itself
// (frames and modals): the server-side actions, sent to `POST …/app_actions` with the agent's
// session, and `open`. Each performer throws an `ActionError` whose code the frame is answered
// with. The reply box's actions are the conversation page's own (`conversation.js`).

import { ActionError, SERVER_ACTIONS } from "./app-protocol.js";
import { request } from "./api.js";

/** Performers for the server-side actions on the conversation behind `actionsUrl`. */
export function serverActions(actionsUrl) {
  const performers = {};
  for (const event of SERVER_ACTIONS) {
    performers[event] = async (payload, app) => {
      const { id: _id, ...fields } = payload;
      const result = await request("POST", actionsUrl, { ...fields, event, app_id: Number(app.appId) });
      if (result.ok) return;
      throw refusal(result);
    };
  }
  return performers;
}

/** The frame's refusal for a failed call: 422 names the field; 401 and 404 mean the agent (or
 * the app, on this conversation) may not. */
function refusal({ status, data }) {
  const body = data || {};
  if (status === 422) return new ActionError("invalid", body.message || "invalid");
  if (status === 401 || status === 403 || status === 404) {
    return new ActionError("forbidden", body.error || "the agent may not do this here");
  }
  if (status === 429) return new ActionError("rate_limited", body.error || body.message || "too many requests");
  return new ActionError("unavailable", body.message || body.error || `the server answered ${status}`);
}

/** `open`: a conversation (by its number in the account) or a contact of the agent's account,
 * if the agent may see it; `go(pageUrl)` shows it (after the frame has its answer). */
export function openAction(accountId, go) {
  return async ({ conversation_id: conversationId, contact_id: contactId }) => {
    const [api, page] = conversationId
      ? [`/api/v1/accounts/${accountId}/conversations/${conversationId}`, `/app/accounts/${accountId}/conversations/${conversationId}`]
      : [`/api/v1/accounts/${accountId}/contacts/${contactId}`, `/app/accounts/${accountId}/contacts/${contactId}`];
    const result = await request("GET", api);
    if (!result.ok) {
      const what = conversationId ? `conversation ${conversationId}` : `contact ${contactId}`;
      throw new ActionError(result.status === 404 ? "forbidden" : "unavailable", `${what} cannot be opened here`);
    }
    setTimeout(() => go(page), 0);
  };
}
