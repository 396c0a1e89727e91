// A sidebar app's page: the app's frames, full-page, served by the same bridge as conversation
// tabs. Its context is the agent and the account (no conversation), fetched from the app's own
// endpoint; it can show notices, open conversations and contacts, resize itself and open a
// modal, and has no reply box or conversation for the other actions. When the account's custom
// attribute definitions change (/cable), the app gets a fresh context.

import { AppBridge } from "./app-bridge.js";
import { proxyThrough } from "./app-requests.js";
import { openAction } from "./app-host-actions.js";
import { Cable } from "./cable.js";
import { toast } from "./toast.js";

const container = document.getElementById("sidebar-app");
const contextUrl = document.body.dataset.contextUrl;

async function loadContext() {
  const response = await fetch(contextUrl, { credentials: "same-origin", headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`context request failed: ${response.status}`);
  return response.text();
}

const bridge = new AppBridge(contextUrl, {
  loadContext,
  actions: {
    notify: ({ text, level }, app) => {
      toast(text, level || "info", { source: app.title });
    },
    open: openAction(document.body.dataset.accountId, (url) => location.assign(url)),
  },
  proxyRequest: proxyThrough(document.body.dataset.accountId),
});

const frames = JSON.parse(container.dataset.frames);
const allowedActions = (container.dataset.allowedActions || "").split(" ").filter(Boolean);
container.replaceChildren();
frames.forEach((frame, index) => {
  const title = frames.length > 1 ? `${container.dataset.appTitle} (${index + 1})` : container.dataset.appTitle;
  const iframe = bridge.createFrame(container, frame, title, container.dataset.appId, { allowedActions });
  iframe.dataset.appId = container.dataset.appId;
  iframe.dataset.frameIndex = String(index);
});
const cable = new Cable(document.body.dataset.pubsubToken);
cable.addEventListener("event", ({ detail }) => {
  if (detail.name === "custom_attribute_definitions.changed") bridge.push(detail.name);
});
cable.addEventListener("resync", () => bridge.push("resync"));
document.body.dataset.ready = "true";
