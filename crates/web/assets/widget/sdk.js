// The website widget's loader, served at /packs/js/sdk.js so Chatwoot's snippet works with only
// its BASE_URL changed. It reads window.chatwootSettings, draws the bubble inside a
// shadow root (the host page's CSS cannot reach it), and on first need (at once for a returning
// visitor, whose bubble then counts unread replies) loads the chat window: an iframe on
// Switchboard's origin (/widget?website_token=…). window.$chatwoot offers
// Chatwoot's methods; the window answers through postMessage, checked both ways by origin and
// source. The visitor's token lives in the site's cookie `cw_conversation`, as Chatwoot keeps it.
// A classic script, not a module: the snippet loads it with a plain <script>.
(function () {
  "use strict";
  if (window.chatwootSDK) return;
  var PREFIX = "chatwoot-widget:";
  var COOKIE = "cw_conversation";
  var YEAR = 365 * 24 * 3600;

  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) return decodeURIComponent(parts[i].slice(eq + 1));
    }
    return null;
  }
  function writeCookie(name, value, seconds) {
    document.cookie = name + "=" + encodeURIComponent(value) + "; path=/; max-age=" + seconds + "; SameSite=Lax";
  }
  function dispatch(name, detail) {
    window.dispatchEvent(new CustomEvent(name, { detail: detail === undefined ? null : detail }));
  }
  function nonEmpty(value) {
    return value && typeof value === "object" && Object.keys(value).length > 0;
  }

  var STYLE =
    ":host{all:initial}" +
    "*{box-sizing:border-box}" +
    ".bubble{position:fixed;bottom:20px;right:20px;width:60px;height:60px;border-radius:50%;border:0;" +
    "cursor:pointer;box-shadow:0 4px 16px rgba(0,0,0,.2);display:flex;align-items:center;justify-content:center;" +
    "padding:0;margin:0;z-index:2147483000;background:#1f93ff}" +
    ".bubble:focus-visible{outline:3px solid #111;outline-offset:3px}" +
    ".bubble svg{width:28px;height:28px;fill:#fff}" +
    ".left .bubble{left:20px;right:auto}.left .window{left:20px;right:auto}" +
    ".window{position:fixed;bottom:96px;right:20px;width:400px;max-width:calc(100vw - 40px);" +
    "height:min(640px,calc(100vh - 120px));border:0;border-radius:16px;overflow:hidden;" +
    "box-shadow:0 8px 32px rgba(0,0,0,.2);z-index:2147483000;background:#fff;display:none}" +
    ".window.open{display:block}.window iframe{width:100%;height:100%;border:0;display:block}" +
    ".hidden{display:none!important}.dot{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;" +
    "padding:0 5px;border-radius:11px;background:#e0245e;border:2px solid #fff;color:#fff;" +
    "font:700 12px/18px system-ui,sans-serif;text-align:center}";
  var CHAT_ICON = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 3C6.5 3 2 6.6 2 11c0 2.4 1.3 4.6 3.4 6.1L4.5 21l4.3-2.3c1 .3 2.1.4 3.2.4 5.5 0 10-3.6 10-8S17.5 3 12 3z"/></svg>';
  var CLOSE_ICON = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M18.3 5.7a1 1 0 0 0-1.4 0L12 10.6 7.1 5.7a1 1 0 1 0-1.4 1.4l4.9 4.9-4.9 4.9a1 1 0 1 0 1.4 1.4l4.9-4.9 4.9 4.9a1 1 0 0 0 1.4-1.4L13.4 12l4.9-4.9a1 1 0 0 0 0-1.4z"/></svg>';

  function run(options) {
    if (window.$chatwoot) return;
    options = options || {};
    var settings = window.chatwootSettings || {};
    var baseUrl = String(options.baseUrl || "").replace(/\/+$/, "");
    var origin = new URL(baseUrl || "/", location.href).origin;
    var websiteToken = String(options.websiteToken || "");
    var userCookie = "cw_user_" + websiteToken;
    var frame = null;
    var frameLoaded = false;
    var pending = [];

    // The host element: inline !important so no host rule moves or hides it.
    var holder = document.createElement("div");
    holder.setAttribute("data-chatwoot-widget", "");
    ["all:initial", "position:fixed", "z-index:2147483000", "width:0", "height:0", "bottom:0", "right:0"].forEach(function (rule) {
      var at = rule.indexOf(":");
      holder.style.setProperty(rule.slice(0, at), rule.slice(at + 1), "important");
    });
    // Open, so tests and tools can find the bubble; the conversation itself is in the iframe, on
    // another origin, which no script of the site can read.
    var root = holder.attachShadow({ mode: "open" });
    var style = document.createElement("style");
    style.textContent = STYLE;
    var shell = document.createElement("div");
    if (settings.position === "left") shell.className = "left";
    var bubble = document.createElement("button");
    bubble.type = "button";
    bubble.className = "bubble";
    bubble.setAttribute("aria-label", settings.launcherTitle || "Chat with us");
    bubble.setAttribute("aria-expanded", "false");
    bubble.innerHTML = CHAT_ICON; // a constant of this file, never data
    // The count of agent messages the visitor has not read, while the window is closed.
    var dot = document.createElement("span");
    dot.className = "dot hidden";
    dot.setAttribute("aria-hidden", "true");
    var unreadCount = 0;
    bubble.appendChild(dot);
    var panel = document.createElement("div");
    panel.className = "window";
    shell.appendChild(panel);
    shell.appendChild(bubble);
    root.appendChild(style);
    root.appendChild(shell);
    if (settings.hideMessageBubble) bubble.classList.add("hidden");

    function frameUrl() {
      var url = baseUrl + "/widget?website_token=" + encodeURIComponent(websiteToken);
      if ($chatwoot.locale) url += "&locale=" + encodeURIComponent($chatwoot.locale);
      return url;
    }
    function ensureFrame() {
      if (frame) return;
      frame = document.createElement("iframe");
      frame.title = settings.launcherTitle || "Chat window";
      frame.setAttribute("allow", "clipboard-write");
      frame.src = frameUrl();
      panel.appendChild(frame);
    }
    function send(event, data) {
      var message = Object.assign({ event: event }, data || {});
      if (!frameLoaded) {
        ensureFrame();
        pending.push(message);
        return;
      }
      frame.contentWindow.postMessage(PREFIX + JSON.stringify(message), origin);
    }
    function setOpen(open) {
      if (open === $chatwoot.isOpen) return;
      if (open) ensureFrame();
      $chatwoot.isOpen = open;
      panel.classList.toggle("open", open);
      bubble.setAttribute("aria-expanded", String(open));
      bubble.innerHTML = open ? CLOSE_ICON : CHAT_ICON;
      if (!open) bubble.appendChild(dot);
      showUnread();
      if (frameLoaded) send("toggle-open", { isOpen: open });
      dispatch(open ? "chatwoot:opened" : "chatwoot:closed");
    }

    function showUnread() {
      var shown = !$chatwoot.isOpen && unreadCount > 0;
      var title = settings.launcherTitle || "Chat with us";
      dot.textContent = unreadCount > 9 ? "9+" : String(unreadCount);
      dot.classList.toggle("hidden", !shown);
      bubble.setAttribute("aria-label", shown ? title + " (" + unreadCount + " unread message" + (unreadCount > 1 ? "s)" : ")") : title);
    }

    // Messages from the window: only from our iframe, only from Switchboard's origin.
    window.addEventListener("message", function (event) {
      if (!frame || event.source !== frame.contentWindow || event.origin !== origin) return;
      if (typeof event.data !== "string" || event.data.indexOf(PREFIX) !== 0) return;
      var message;
      try {
        message = JSON.parse(event.data.slice(PREFIX.length));
      } catch (e) {
        return;
      }
      if (message.event === "loaded") {
        frameLoaded = true;
        send("config-set", {
          authToken: readCookie(COOKIE),
          isOpen: $chatwoot.isOpen,
          locale: $chatwoot.locale,
          referer: location.href
        });
        var queued = pending;
        pending = [];
        queued.forEach(function (m) {
          send(m.event, m);
        });
      } else if (message.event === "set-auth-token" && typeof message.token === "string") {
        writeCookie(COOKIE, message.token, YEAR);
      } else if (message.event === "on-message") {
        dispatch("chatwoot:on-message", message.data);
      } else if (message.event === "unread") {
        unreadCount = Math.max(0, Number(message.count) || 0);
        showUnread();
      } else if (message.event === "error") {
        if (message.errorType === "SET_USER_ERROR") writeCookie(userCookie, "", 0);
        dispatch("chatwoot:error", message.data);
      } else if (message.event === "close-window") {
        setOpen(false);
      }
    });
    bubble.addEventListener("click", function () {
      setOpen(!$chatwoot.isOpen);
    });

    function requireKeys(value, what) {
      if (!nonEmpty(value)) throw new Error(what + " should have atleast one key");
    }

    var $chatwoot = {
      baseUrl: baseUrl,
      websiteToken: websiteToken,
      hasLoaded: false,
      isOpen: false,
      hideMessageBubble: Boolean(settings.hideMessageBubble),
      position: settings.position === "left" ? "left" : "right",
      locale: settings.useBrowserLanguage ? navigator.language.replace("-", "_") : settings.locale,
      launcherTitle: settings.launcherTitle || "",
      toggle: function (state) {
        setOpen(state === "open" ? true : state === "close" ? false : !$chatwoot.isOpen);
      },
      toggleBubbleVisibility: function (visibility) {
        if (visibility === "hide") bubble.classList.add("hidden");
        else if (visibility === "show") bubble.classList.remove("hidden");
        $chatwoot.hideMessageBubble = bubble.classList.contains("hidden");
      },
      popoutChatWindow: function () {
        var token = readCookie(COOKIE);
        window.open(frameUrl() + (token ? "&cw_conversation=" + encodeURIComponent(token) : ""), "chatwoot_popout", "resizable=off,width=400,height=600");
        setOpen(false);
      },
      setUser: function (identifier, user) {
        if (typeof identifier !== "string" && typeof identifier !== "number") {
          throw new Error("Identifier should be a string or a number");
        }
        user = user || {};
        if (!user.avatar_url && !user.email && !user.name) {
          throw new Error("User object should have one of the keys [avatar_url, email, name]");
        }
        var signature = JSON.stringify([String(identifier), user.name, user.email, user.avatar_url, user.phone_number, user.identifier_hash]);
        if (readCookie(userCookie) === signature && readCookie(COOKIE)) return; // sent before
        $chatwoot.identifier = identifier;
        $chatwoot.user = user;
        writeCookie(userCookie, signature, YEAR);
        send("set-user", { identifier: String(identifier), user: user });
      },
      setCustomAttributes: function (customAttributes) {
        requireKeys(customAttributes, "Custom attributes");
        send("set-custom-attributes", { customAttributes: customAttributes });
      },
      deleteCustomAttribute: function (customAttribute) {
        if (!customAttribute) throw new Error("Custom attribute is required");
        send("delete-custom-attribute", { customAttribute: customAttribute });
      },
      setConversationCustomAttributes: function (customAttributes) {
        requireKeys(customAttributes, "Custom attributes");
        send("set-conversation-custom-attributes", { customAttributes: customAttributes });
      },
      deleteConversationCustomAttribute: function (customAttribute) {
        if (!customAttribute) throw new Error("Custom attribute is required");
        send("delete-conversation-custom-attribute", { customAttribute: customAttribute });
      },
      setLabel: function (label) {
        send("set-label", { label: label || "" });
      },
      removeLabel: function (label) {
        send("remove-label", { label: label || "" });
      },
      setLocale: function (locale) {
        $chatwoot.locale = locale || "en";
        send("set-locale", { locale: $chatwoot.locale });
      },
      reset: function () {
        setOpen(false);
        unreadCount = 0;
        showUnread();
        writeCookie(COOKIE, "", 0);
        writeCookie(userCookie, "", 0);
        if (frame) {
          frameLoaded = false;
          pending = [];
          frame.src = frameUrl();
        }
        $chatwoot.resetTriggered = true;
      }
    };
    window.$chatwoot = $chatwoot;
    document.body.appendChild(holder);
    // A returning visitor's window loads now, closed, so the bubble can count unread replies.
    if (readCookie(COOKIE)) ensureFrame();
    if (nonEmpty(settings.customAttributes)) $chatwoot.setCustomAttributes(settings.customAttributes);
    if (nonEmpty(settings.conversationCustomAttributes)) {
      $chatwoot.setConversationCustomAttributes(settings.conversationCustomAttributes);
    }
    // The bubble's colour comes from the inbox; ready once it is painted (or could not be).
    fetch(baseUrl + "/widget/appearance?website_token=" + encodeURIComponent(websiteToken))
      .then(function (response) {
        return response.ok ? response.json() : {};
      })
      .catch(function () {
        return {};
      })
      .then(function (appearance) {
        if (/^#[0-9a-fA-F]{3,6}$/.test(appearance.widget_color || "")) {
          bubble.style.background = appearance.widget_color;
        }
        $chatwoot.hasLoaded = true;
        dispatch("chatwoot:ready");
      });
  }

  window.chatwootSDK = { run: run };
})();
