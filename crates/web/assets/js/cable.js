// The /cable client: connects, subscribes to RoomChannel with the user's pubsub token, watches
// the server's pings, and reconnects with backoff, resuming after the last event id it saw (the
// server replays what was missed, or says "resync" when it cannot). Emits one "event" per
// message frame ({name, data}) and "resync" when the server says events were missed, or after a
// reconnect with no event id to resume from.
// Sets body[data-cable] to "open" / "closed" for tests and styling.

const PING_TIMEOUT_MS = 10_000;

export class Cable extends EventTarget {
  constructor(pubsubToken) {
    super();
    this.pubsubToken = pubsubToken;
    this.lastEventId = null;
    this.attempt = 0;
    this.dropped = false;
    this.connect();
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/cable`);
    this.socket = socket;
    this.lastSeen = Date.now();
    socket.addEventListener("message", (event) => this.onFrame(socket, event.data));
    socket.addEventListener("close", () => this.onClose(socket));
    clearInterval(this.watchdog);
    this.watchdog = setInterval(() => {
      if (Date.now() - this.lastSeen > PING_TIMEOUT_MS) socket.close();
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
      document.body.dataset.cable = "open";
      if (this.dropped && !this.resuming) this.dispatchEvent(new Event("resync"));
    } else if (frame.type === "reject_subscription") {
      document.body.dataset.cable = "rejected";
      socket.close();
    } else if (frame.message && typeof frame.message.event === "string") {
      if (typeof frame.message.event_id === "number") this.lastEventId = frame.message.event_id;
      if (frame.message.event === "resync") {
        this.dispatchEvent(new Event("resync"));
      } else {
        const detail = { name: frame.message.event, data: frame.message.data || {} };
        this.dispatchEvent(new CustomEvent("event", { detail }));
      }
    }
  }

  onClose(socket) {
    if (socket !== this.socket) return;
    clearInterval(this.watchdog);
    document.body.dataset.cable = "closed";
    this.dropped = true;
    const delay = Math.min(30_000, 500 * 2 ** this.attempt) * (0.75 + Math.random() / 2);
    this.attempt += 1;
    setTimeout(() => this.connect(), delay);
  }
}
