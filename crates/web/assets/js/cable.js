// The /cable client: connects, subscribes to RoomChannel with the user's pubsub token, watches
// the server's pings, and reconnects with backoff, resuming after the last event id it knows (the
// newest it saw, else the log's end the server named on confirming): the server replays what
// was missed, or says "resync" when it cannot. Emits one "event" per message frame
// ({name, data}) and "resync" when the server says events were missed, or after a reconnect
// with no event id to resume from. The browser going offline ends the socket at once; coming
// back online reconnects at once.
// Sets body[data-cable] to "open" / "closed" for tests and styling.
//
// A page the browser keeps in its back/forward cache would keep its socket (the browser still
// answers pings), and with it its user's presence — a visitor who left the site would stay
// online: the socket closes on `pagehide` and opens again, resuming, when the page is shown.

const PING_TIMEOUT_MS = 10_000;

export class Cable extends EventTarget {
  constructor(pubsubToken) {
    super();
    this.pubsubToken = pubsubToken;
    this.lastEventId = null;
    this.attempt = 0;
    this.dropped = false;
    this.socket = null;
    this.retry = null;
    this.hidden = false;
    window.addEventListener("offline", () => this.drop(this.socket));
    window.addEventListener("online", () => {
      if (this.socket || this.hidden) return;
      clearTimeout(this.retry);
      this.attempt = 0;
      this.connect();
    });
    window.addEventListener("pagehide", () => {
      this.hidden = true;
      this.drop(this.socket);
    });
    window.addEventListener("pageshow", (event) => {
      if (!event.persisted || !this.hidden) return;
      this.hidden = false;
      clearTimeout(this.retry);
      this.connect();
    });
    this.connect();
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/cable`);
    this.socket = socket;
    this.lastSeen = Date.now();
    socket.addEventListener("message", (event) => {
      if (socket === this.socket) this.onFrame(socket, event.data);
    });
    socket.addEventListener("close", () => this.drop(socket));
    clearInterval(this.watchdog);
    this.watchdog = setInterval(() => {
      if (Date.now() - this.lastSeen > PING_TIMEOUT_MS) this.drop(socket);
    }, 2_000);
  }

  onFrame(socket, text) {
    this.lastSeen = Date.now();
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (frame.type === "welcome") {
      this.resuming = this.dropped && this.lastEventId !== null;
      const identifier = { channel: "RoomChannel", pubsub_token: this.pubsubToken };
      if (this.resuming) identifier.last_event_id = this.lastEventId;
      socket.send(JSON.stringify({ command: "subscribe", identifier: JSON.stringify(identifier) }));
    } else if (frame.type === "confirm_subscription") {
      this.attempt = 0;
      // A fresh subscription hears everything past this id live: resume from here.
      if (typeof frame.last_event_id === "number") this.lastEventId = frame.last_event_id;
      document.body.dataset.cable = "open";
      if (this.dropped && !this.resuming) this.dispatchEvent(new Event("resync"));
    } else if (frame.type === "reject_subscription") {
      document.body.dataset.cable = "rejected";
      socket.close();
    } else if (frame.message && typeof frame.message.event === "string") {
      const id = frame.message.event_id;
      if (frame.message.event === "resync") {
        // The log's end as the server reloads us: resume after it next time.
        if (typeof id === "number") this.lastEventId = id;
        this.dispatchEvent(new Event("resync"));
      } else {
        // Live copies of events logged before the subscription may trail its confirmation.
        if (typeof id === "number") this.lastEventId = Math.max(this.lastEventId ?? 0, id);
        const detail = { name: frame.message.event, data: frame.message.data || {} };
        this.dispatchEvent(new CustomEvent("event", { detail }));
      }
    }
  }

  /** Ends `socket`, if it is still the current one, and tries again after a backoff. */
  drop(socket) {
    if (!socket || socket !== this.socket) return;
    this.socket = null;
    socket.close();
    clearInterval(this.watchdog);
    document.body.dataset.cable = "closed";
    this.dropped = true;
    if (this.hidden) return;
    const delay = Math.min(30_000, 500 * 2 ** this.attempt) * (0.75 + Math.random() / 2);
    this.attempt += 1;
    this.retry = setTimeout(() => this.connect(), delay);
  }
}
