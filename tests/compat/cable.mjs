// Drives Switchboard's /cable with the real @rails/actioncable client (pinned in package.json,
// unmodified) under Node, with the `ws` package as its WebSocket, the way Chatwoot's dashboard
// (`BaseActionCableConnector`) and widget use it: one consumer, `RoomChannel` subscriptions,
// `perform("update_presence")`.
//
// Usage: node cable.mjs WS_URL
// Reads one JSON command per line on stdin:
//   {"op": "subscribe", "name": "agent", "identifier": {"channel": "RoomChannel", ...}}
//   {"op": "perform", "name": "agent", "action": "update_presence"}
//   {"op": "unsubscribe", "name": "agent"}
//   {"op": "quit"}
// and prints one JSON line per thing the client reports:
//   {"kind": "open", "protocol": "actioncable-v1-json"}   the consumer's socket opened
//   {"name", "kind": "connected"}                          a subscription was confirmed
//   {"name", "kind": "rejected"}
//   {"name", "kind": "received", "data": {event, data}}
//   {"name", "kind": "disconnected"}
//   {"kind": "error", "detail"}                            a command this driver could not run
//
// What must arrive is not decided here: tests/compat/main.rs sends the commands, makes the
// server produce events and checks these lines.
import * as readline from "node:readline";
import ActionCable from "@rails/actioncable";
import WebSocket from "ws";

// The browser globals @rails/actioncable reaches for and Node lacks: the socket class, and the
// page-visibility listener of its connection monitor (a page that is never hidden).
ActionCable.adapters.WebSocket = WebSocket;
globalThis.addEventListener ??= () => {};
globalThis.removeEventListener ??= () => {};
// Its own logging stays off (ActionCable.logger.enabled is false by default): stdout is ours.

const url = process.argv[2];
if (!url) {
  console.error("usage: node cable.mjs WS_URL");
  process.exit(2);
}

function report(line) {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const consumer = ActionCable.createConsumer(url);
const subscriptions = new Map();
let opened = false;

function subscribe(name, identifier) {
  const subscription = consumer.subscriptions.create(identifier, {
    connected() {
      if (!opened) {
        opened = true;
        report({ kind: "open", protocol: consumer.connection.getProtocol() ?? null });
      }
      report({ name, kind: "connected" });
    },
    rejected() {
      report({ name, kind: "rejected" });
    },
    received(data) {
      report({ name, kind: "received", data });
    },
    disconnected() {
      report({ name, kind: "disconnected" });
    },
    // As Chatwoot's dashboard calls it every few seconds.
    updatePresence() {
      this.perform("update_presence");
    },
  });
  subscriptions.set(name, subscription);
}

function run(command) {
  switch (command.op) {
    case "subscribe":
      return subscribe(command.name, command.identifier);
    case "perform": {
      const subscription = subscriptions.get(command.name);
      if (!subscription) throw new Error(`no subscription ${command.name}`);
      if (command.action === "update_presence") return subscription.updatePresence();
      return subscription.perform(command.action, command.data ?? {});
    }
    case "unsubscribe": {
      const subscription = subscriptions.get(command.name);
      subscriptions.delete(command.name);
      return subscription?.unsubscribe();
    }
    case "quit":
      consumer.disconnect();
      return process.exit(0);
    default:
      throw new Error(`unknown op ${command.op}`);
  }
}

const lines = readline.createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (!line.trim()) return;
  try {
    run(JSON.parse(line));
  } catch (error) {
    report({ kind: "error", detail: String(error) });
  }
});
// The test closing our stdin (or dying) ends the client.
lines.on("close", () => {
  consumer.disconnect();
  process.exit(0);
});
