// Sends dashboard apps' HTTP requests through the server's request proxy
// (`POST …/dashboard_apps/{id}/requests`) with the agent's session, for the app bridge's
// `proxyRequest`. The server fills in the app's settings and secrets, checks the allow-list and
// answers `{status, headers, body}`; nothing secret ever reaches this page.

import { request } from "./api.js";

/**
 * A `proxyRequest` for apps on this page: `conversationId` (a display id) for conversation tabs,
 * null for sidebar apps.
 */
export function proxyThrough(accountId, conversationId = null) {
  return (appId, fields) => {
    const url = `/api/v1/accounts/${accountId}/dashboard_apps/${encodeURIComponent(appId)}/requests`;
    const body = conversationId === null ? fields : { ...fields, conversation_id: conversationId };
    return request("POST", url, body);
  };
}
