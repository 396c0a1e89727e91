// Fetch helpers for page scripts: same-origin JSON calls carrying the session's CSRF token.

const csrfToken = () => document.body.dataset.csrfToken || "";

/** Sends `body` as JSON; resolves to { ok, status, data } and never throws on HTTP errors. */
export async function request(method, url, body) {
  const headers = { accept: "application/json", "x-csrf-token": csrfToken() };
  if (body !== undefined) headers["content-type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    return { ok: false, status: 0, data: { message: "Network error: the server could not be reached." } };
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { message: text };
  }
  return { ok: response.ok, status: response.status, data };
}

/** A human sentence for a failed call. */
export function errorText(result) {
  const data = result.data || {};
  return data.message || data.error || `Request failed (${result.status})`;
}
