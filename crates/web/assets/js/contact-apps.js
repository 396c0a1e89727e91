// The dashboard apps of a contact's page (`contact_page` placement): one section per app, its
// frames made at once and served by the same bridge as everywhere else, with the contact
// context (`{contact, conversations, currentAgent, …}`). Only the page's own actions work here
// (notices, opening a record, modals, resizing); the conversation actions answer "unavailable",
// since no conversation is open.

import { AppBridge } from "./app-bridge.js";
import { openAction } from "./app-host-actions.js";
import { toast } from "./toast.js";

/** Starts the apps of the page, if any; returns their bridge (for live pushes) or null. */
export function setupContactApps({ accountId, contextUrl }) {
  const sections = [...document.querySelectorAll(".contact-app[data-frames]")];
  if (sections.length === 0) return null;
  const bridge = new AppBridge(contextUrl, {
    actions: {
      notify: ({ text, level }, app) => {
        toast(text, level, { source: app.title });
      },
      open: openAction(accountId, (url) => location.assign(url)),
    },
  });
  for (const section of sections) {
    const holder = section.querySelector(".contact-app-frames");
    holder.replaceChildren();
    const frames = JSON.parse(section.dataset.frames);
    const allowedActions = (section.dataset.allowedActions || "").split(" ").filter(Boolean);
    frames.forEach((frame, index) => {
      const title = frames.length > 1 ? `${section.dataset.appTitle} (${index + 1})` : section.dataset.appTitle;
      const iframe = bridge.createFrame(holder, frame, title, section.dataset.appId, { allowedActions });
      iframe.dataset.appId = section.dataset.appId;
      iframe.dataset.frameIndex = String(index);
      iframe.dataset.placement = "contact_page";
    });
  }
  return bridge;
}
