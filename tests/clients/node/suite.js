// Runs the operations of a published TypeScript Chatwoot client, @figuro/chatwoot-sdk (unmodified,
// pinned in package.json), against a Switchboard server and prints one JSON line per operation:
// {"op", "ok", "detail"}. This client sends `messages.create` as multipart/form-data, with
// booleans and objects as strings, as generated clients do; it checks no shapes itself, so the
// checks below read what an integration would read.
//
// Usage: node suite.js BASE_URL API_TOKEN ACCOUNT_ID
//
// Whether an operation is expected to pass is not decided here: tests/clients/main.rs compares
// these lines with the table in docs/COMPATIBILITY.md.
"use strict";

const ChatwootClient = require("@figuro/chatwoot-sdk").default;

class Missing extends Error {}

function need(ctx, key) {
  if (!(key in ctx)) throw new Missing(key);
  return ctx[key];
}

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

// Some answers are Chatwoot's `{payload: ...}` envelope, some bare; an integration reads both.
function payload(body) {
  return body && typeof body === "object" && "payload" in body ? body.payload : body;
}

const OPERATIONS = [
  ["profile", async (c, ctx) => {
    const profile = await c.profile.profile();
    check(profile.email, "the profile has an e-mail");
    ctx.me = profile.id;
  }],
  ["agents.list", async (c, ctx) => {
    const agents = await c.agents.list({ accountId: ctx.account });
    check(agents.some((a) => a.id === need(ctx, "me")), "the caller is an agent");
  }],
  ["agents.create", async (c, ctx) => {
    const agent = await c.agents.create({
      accountId: ctx.account,
      data: { name: "TS Agent", email: `ts-agent-${ctx.stamp}@example.test`, role: "agent" },
    });
    check(agent.role === "agent", "an agent");
    ctx.agent = agent.id;
  }],
  ["agents.update", async (c, ctx) => {
    const agent = await c.agents.update({
      accountId: ctx.account,
      id: need(ctx, "agent"),
      data: { role: "administrator", availability: "busy", auto_offline: false },
    });
    check(agent.role === "administrator", `role changed, got ${agent.role}`);
    check(agent.availability_status === "busy", `availability, got ${agent.availability_status}`);
    check(agent.auto_offline === false, `auto_offline, got ${agent.auto_offline}`);
  }],
  ["inboxes.list", async (c, ctx) => {
    const inboxes = payload(await c.inboxes.list({ accountId: ctx.account }));
    check(inboxes.length > 0, "an inbox");
    ctx.inbox = inboxes[0].id;
    ctx.inboxIdentifier = inboxes[0].inbox_identifier;
  }],
  ["inboxes.create", async (c, ctx) => {
    const inbox = await c.inboxes.create({
      accountId: ctx.account,
      data: { name: `TS inbox ${ctx.stamp}`, channel: { type: "api" } },
    });
    check(inbox.channel_type === "Channel::Api", `an API inbox, got ${inbox.channel_type}`);
    ctx.newInbox = inbox.id;
  }],
  ["inboxes.get", async (c, ctx) => {
    const inbox = await c.inboxes.get({ accountId: ctx.account, id: need(ctx, "newInbox") });
    check(inbox.id === ctx.newInbox, "the same inbox");
  }],
  ["inboxes.update", async (c, ctx) => {
    const inbox = await c.inboxes.update({
      accountId: ctx.account,
      id: need(ctx, "newInbox"),
      data: { name: "TS inbox renamed", enable_auto_assignment: false },
    });
    check(inbox.name === "TS inbox renamed", "renamed");
    check(inbox.enable_auto_assignment === false, "enable_auto_assignment stored");
  }],
  ["inboxes.getAgentBot", async (c, ctx) => {
    await c.inboxes.getAgentBot({ accountId: ctx.account, id: need(ctx, "newInbox") });
  }],
  ["inboxes.addAgent", async (c, ctx) => {
    const members = payload(await c.inboxes.addAgent({
      accountId: ctx.account,
      data: { inbox_id: need(ctx, "newInbox"), user_ids: [need(ctx, "me")] },
    }));
    check(members.some((m) => m.id === ctx.me), "the caller is a member");
  }],
  ["inboxes.updateAgentsInInbox", async (c, ctx) => {
    const members = payload(await c.inboxes.updateAgentsInInbox({
      accountId: ctx.account,
      data: { inbox_id: need(ctx, "newInbox"), user_ids: [ctx.me, need(ctx, "agent")] },
    }));
    check(members.length === 2, `two members, got ${members.length}`);
  }],
  ["inboxes.listAgents", async (c, ctx) => {
    const members = payload(await c.inboxes.listAgents({
      accountId: ctx.account,
      inboxId: need(ctx, "newInbox"),
    }));
    check(members.length === 2, `two members, got ${members.length}`);
  }],
  ["inboxes.removeAgent", async (c, ctx) => {
    await c.inboxes.removeAgent({
      accountId: ctx.account,
      inboxId: need(ctx, "newInbox"),
      data: { inbox_id: ctx.newInbox, user_ids: [need(ctx, "agent")] },
    });
  }],
  ["cannedResponses.create", async (c, ctx) => {
    const canned = await c.cannedResponses.create({
      accountId: ctx.account,
      data: { short_code: `ts${ctx.stamp}`, content: "Thanks for writing in!" },
    });
    check(canned.short_code === `ts${ctx.stamp}`, "the short code");
    ctx.canned = canned.id;
  }],
  ["cannedResponses.list", async (c, ctx) => {
    const list = await c.cannedResponses.list({ accountId: ctx.account });
    check(list.some((r) => r.id === need(ctx, "canned")), "listed");
  }],
  ["cannedResponses.update", async (c, ctx) => {
    const canned = await c.cannedResponses.update({
      accountId: ctx.account,
      id: need(ctx, "canned"),
      data: { content: "Thanks!" },
    });
    check(canned.content === "Thanks!", "updated");
  }],
  ["cannedResponses.delete", async (c, ctx) => {
    await c.cannedResponses.delete({ accountId: ctx.account, id: need(ctx, "canned") });
  }],
  ["customAttributes.create", async (c, ctx) => {
    const definition = await c.customAttributes.create({
      accountId: ctx.account,
      data: {
        attribute_display_name: "Plan",
        attribute_display_type: "list",
        attribute_description: "The customer's plan",
        attribute_key: `plan_${ctx.stamp}`,
        attribute_values: ["free", "pro"],
        attribute_model: "contact_attribute",
      },
    });
    check(definition.attribute_key === `plan_${ctx.stamp}`, "the key");
    ctx.definition = definition.id;
  }],
  ["customAttributes.list", async (c, ctx) => {
    const list = await c.customAttributes.list({ accountId: ctx.account, attributeModel: "1" });
    check(list.some((d) => d.id === need(ctx, "definition")), "listed");
  }],
  ["customAttributes.get", async (c, ctx) => {
    const definition = await c.customAttributes.get({ accountId: ctx.account, id: need(ctx, "definition") });
    check(definition.attribute_display_name === "Plan", "the same definition");
  }],
  ["customAttributes.update", async (c, ctx) => {
    const definition = await c.customAttributes.update({
      accountId: ctx.account,
      id: need(ctx, "definition"),
      data: { attribute_display_name: "Subscription plan" },
    });
    check(definition.attribute_display_name === "Subscription plan", "renamed");
  }],
  ["customAttributes.delete", async (c, ctx) => {
    await c.customAttributes.delete({ accountId: ctx.account, id: need(ctx, "definition") });
  }],
  ["contacts.create", async (c, ctx) => {
    const created = payload(await c.contacts.create({
      accountId: ctx.account,
      data: {
        inbox_id: need(ctx, "inbox"),
        name: "TS Contact",
        email: `ts-${ctx.stamp}@customer.test`,
        custom_attributes: { tier: "gold" },
      },
    }));
    check(created.contact && created.contact.id, "the contact");
    ctx.contact = created.contact.id;
    ctx.sourceId = created.contact_inbox && created.contact_inbox.source_id;
  }],
  ["contacts.get", async (c, ctx) => {
    const contact = payload(await c.contacts.get({ accountId: ctx.account, id: need(ctx, "contact") }));
    check(contact.custom_attributes.tier === "gold", "custom attributes kept");
    check((contact.contact_inboxes || []).some((ci) => ci.source_id === ctx.sourceId),
      "contact_inboxes[] carries the source_id");
  }],
  ["contacts.update", async (c, ctx) => {
    const contact = payload(await c.contacts.update({
      accountId: ctx.account,
      id: need(ctx, "contact"),
      data: { phone_number: "+15550002222" },
    }));
    check(contact.phone_number === "+15550002222", "phone stored");
  }],
  ["contacts.list", async (c, ctx) => {
    const list = payload(await c.contacts.list({ accountId: ctx.account, sort: "name" }));
    check(list.length > 0, "some contacts");
  }],
  ["contacts.search", async (c, ctx) => {
    const list = payload(await c.contacts.search({ accountId: ctx.account, q: `ts-${ctx.stamp}` }));
    check(list.length === 1 && list[0].id === need(ctx, "contact"), "exactly the new contact");
  }],
  ["contacts.filter", async (c, ctx) => {
    const list = payload(await c.contacts.filter({
      accountId: ctx.account,
      payload: [{
        attribute_key: "email",
        filter_operator: "contains",
        values: [`ts-${ctx.stamp}`],
        query_operator: null,
      }],
    }));
    check(list.length === 1 && list[0].id === need(ctx, "contact"), "exactly the new contact");
  }],
  ["contactInboxes.create", async (c, ctx) => {
    const contactInbox = await c.contact.create({
      accountId: ctx.account,
      id: need(ctx, "contact"),
      data: { inbox_id: need(ctx, "newInbox") },
    });
    check(contactInbox.source_id, "a source_id");
  }],
  ["contactInboxes.getContactable", async (c, ctx) => {
    const list = payload(await c.contact.getContactable({ accountId: ctx.account, id: need(ctx, "contact") }));
    check(list.length >= 1, "at least one contactable inbox");
  }],
  ["conversations.create", async (c, ctx) => {
    const conversation = await c.conversations.create({
      accountId: ctx.account,
      data: { source_id: need(ctx, "sourceId"), inbox_id: ctx.inbox, contact_id: ctx.contact },
    });
    check(conversation.id, "a conversation");
    ctx.conversation = conversation.id;
  }],
  ["conversations.get", async (c, ctx) => {
    const conversation = await c.conversations.get({ accountId: ctx.account, conversationId: need(ctx, "conversation") });
    check(conversation.meta.sender.id === ctx.contact, "meta.sender is the contact");
  }],
  ["conversations.list", async (c, ctx) => {
    const body = await c.conversations.list({ accountId: ctx.account, status: "open" });
    check(body.data.payload.some((x) => x.id === need(ctx, "conversation")), "listed");
  }],
  ["conversations.list(q)", async (c, ctx) => {
    const found = await c.conversations.list({ accountId: ctx.account, q: `ts-${ctx.stamp}` });
    check(found.data.payload.some((x) => x.id === need(ctx, "conversation")), "found by its contact's e-mail");
    const none = await c.conversations.list({ accountId: ctx.account, q: `nothing-like-${ctx.stamp}` });
    check(none.data.payload.length === 0, `nothing found for a query nothing matches, got ${none.data.payload.length}`);
  }],
  ["conversations.getMeta", async (c, ctx) => {
    const body = await c.conversations.getMeta({ accountId: ctx.account });
    check(Number.isInteger(body.meta.all_count), "all_count");
  }],
  ["conversations.filter", async (c, ctx) => {
    const body = await c.conversations.filter({
      accountId: ctx.account,
      payload: [{
        attribute_key: "status",
        filter_operator: "equal_to",
        values: ["open"],
        query_operator: null,
      }],
    });
    check(payload(body).some((x) => x.id === need(ctx, "conversation")), "the open one is found");
  }],
  ["conversationLabels.add", async (c, ctx) => {
    const labels = payload(await c.conversationLabels.add({
      accountId: ctx.account,
      conversationId: need(ctx, "conversation"),
      data: { labels: ["ts-sdk"] },
    }));
    check(labels.includes("ts-sdk"), "labelled");
  }],
  ["conversationLabels.list", async (c, ctx) => {
    const labels = payload(await c.conversationLabels.list({ accountId: ctx.account, conversationId: need(ctx, "conversation") }));
    check(labels.includes("ts-sdk"), "read back");
  }],
  ["conversations.toggleStatus", async (c, ctx) => {
    const body = await c.conversations.toggleStatus({
      accountId: ctx.account,
      conversationId: need(ctx, "conversation"),
      data: { status: "pending" },
    });
    check(payload(body).current_status === "pending", "pending");
  }],
  ["messages.create", async (c, ctx) => {
    const message = await c.messages.create({
      accountId: ctx.account,
      conversationId: need(ctx, "conversation"),
      data: { content: "Hello from TypeScript", message_type: "outgoing", private: false },
    });
    check(message.content === "Hello from TypeScript", "the content");
    check(message.private === false, "public");
    ctx.message = message.id;
  }],
  ["messages.create(private)", async (c, ctx) => {
    const message = await c.messages.create({
      accountId: ctx.account,
      conversationId: need(ctx, "conversation"),
      data: { content: "A note", private: true },
    });
    check(message.private === true, "a private note");
  }],
  ["messages.create(input_select)", async (c, ctx) => {
    const message = await c.messages.create({
      accountId: ctx.account,
      conversationId: need(ctx, "conversation"),
      data: {
        content: "Pick one",
        content_type: "input_select",
        content_attributes: { items: [{ title: "A", value: "a" }] },
      },
    });
    check(message.content_type === "input_select", `content_type, got ${message.content_type}`);
    check(message.content_attributes.items.length === 1, "content_attributes kept");
  }],
  ["messages.list", async (c, ctx) => {
    const body = await c.messages.list({ accountId: ctx.account, conversationId: need(ctx, "conversation") });
    check(payload(body).some((m) => m.id === need(ctx, "message")), "listed");
  }],
  ["messages.delete", async (c, ctx) => {
    await c.messages.delete({ accountId: ctx.account, conversationId: need(ctx, "conversation"), messageId: need(ctx, "message") });
  }],
  ["teams.create", async (c, ctx) => {
    const team = await c.teams.create({ accountId: ctx.account, data: { name: `ts team ${ctx.stamp}` } });
    check(team.id, "a team");
    ctx.team = team.id;
  }],
  ["teams.list", async (c, ctx) => {
    const teams = await c.teams.list({ accountId: ctx.account });
    check(teams.some((t) => t.id === need(ctx, "team")), "listed");
  }],
  ["teams.get", async (c, ctx) => {
    const team = await c.teams.get({ accountId: ctx.account, teamId: need(ctx, "team") });
    check(team.id === ctx.team, "the same team");
  }],
  ["teams.update", async (c, ctx) => {
    const team = await c.teams.update({ accountId: ctx.account, teamId: need(ctx, "team"), data: { description: "TS" } });
    check(team.description === "TS", "updated");
  }],
  ["teams.addAgent", async (c, ctx) => {
    await c.teams.addAgent({ accountId: ctx.account, teamId: need(ctx, "team"), data: { user_ids: [need(ctx, "me")] } });
  }],
  ["teams.updateAgentsInTeam", async (c, ctx) => {
    await c.teams.updateAgentsInTeam({ accountId: ctx.account, teamId: need(ctx, "team"), data: { user_ids: [ctx.me, need(ctx, "agent")] } });
  }],
  ["teams.listMembers", async (c, ctx) => {
    const members = payload(await c.teams.listMembers({ accountId: ctx.account, teamId: need(ctx, "team") }));
    check(members.length === 2, `two members, got ${members.length}`);
  }],
  ["teams.removeAgent", async (c, ctx) => {
    await c.teams.removeAgent({ accountId: ctx.account, teamId: need(ctx, "team"), data: { user_ids: [need(ctx, "agent")] } });
  }],
  ["conversationAssignment.assign(team)", async (c, ctx) => {
    const team = await c.conversationAssignment.assign({
      accountId: ctx.account,
      conversationId: need(ctx, "conversation"),
      data: { team_id: need(ctx, "team") },
    });
    check(team && team.id === ctx.team, "answers the team");
    const conversation = await c.conversations.get({ accountId: ctx.account, conversationId: ctx.conversation });
    check(conversation.meta.team && conversation.meta.team.id === ctx.team, "meta.team set");
  }],
  ["conversationAssignment.assign(agent)", async (c, ctx) => {
    const agent = await c.conversationAssignment.assign({
      accountId: ctx.account,
      conversationId: need(ctx, "conversation"),
      data: { assignee_id: need(ctx, "me") },
    });
    check(agent && agent.id === ctx.me, "answers the agent");
  }],
  ["teams.delete", async (c, ctx) => {
    await c.teams.delete({ accountId: ctx.account, teamId: need(ctx, "team") });
  }],
  ["webhooks.create", async (c, ctx) => {
    const body = payload(await c.webhooks.create({
      accountId: ctx.account,
      data: { url: "https://hooks.example.test/chatwoot", subscriptions: ["message_created"] },
    }));
    const webhook = body.webhook || body;
    check(webhook.id, "a webhook");
    ctx.webhook = webhook.id;
  }],
  ["webhooks.list", async (c, ctx) => {
    const body = payload(await c.webhooks.list({ accountId: ctx.account }));
    const list = body.webhooks || body;
    check(list.some((w) => w.id === need(ctx, "webhook")), "listed");
  }],
  ["webhooks.update", async (c, ctx) => {
    await c.webhooks.update({
      accountId: ctx.account,
      webhookId: need(ctx, "webhook"),
      data: { url: "https://hooks.example.test/other", subscriptions: ["conversation_created"] },
    });
  }],
  ["webhooks.delete", async (c, ctx) => {
    await c.webhooks.delete({ accountId: ctx.account, webhookId: need(ctx, "webhook") });
  }],
  ["client.contacts.create", async (c, ctx) => {
    const contact = await c.client.contacts.create({
      inboxIdentifier: need(ctx, "inboxIdentifier"),
      data: { name: "Visitor", email: `visitor-${ctx.stamp}@customer.test` },
    });
    check(contact.source_id, "a source_id");
    ctx.visitor = contact.source_id;
  }],
  ["client.contacts.get", async (c, ctx) => {
    const contact = await c.client.contacts.get({ inboxIdentifier: ctx.inboxIdentifier, contactIdentifier: need(ctx, "visitor") });
    check(contact.name === "Visitor", "the same visitor");
  }],
  ["client.contacts.update", async (c, ctx) => {
    const contact = await c.client.contacts.update({
      inboxIdentifier: ctx.inboxIdentifier,
      contactIdentifier: need(ctx, "visitor"),
      data: { name: "Visitor Renamed" },
    });
    check(contact.name === "Visitor Renamed", "renamed");
  }],
  ["client.conversations.create", async (c, ctx) => {
    const conversation = await c.client.conversations.create({ inboxIdentifier: ctx.inboxIdentifier, contactIdentifier: need(ctx, "visitor") });
    check(conversation.id, "a conversation");
    ctx.visitorConversation = conversation.id;
  }],
  ["client.conversations.list", async (c, ctx) => {
    const list = await c.client.conversations.list({ inboxIdentifier: ctx.inboxIdentifier, contactIdentifier: need(ctx, "visitor") });
    check(list.some((x) => x.id === need(ctx, "visitorConversation")), "listed");
  }],
  ["client.messages.create", async (c, ctx) => {
    const message = await c.client.messages.create({
      inboxIdentifier: ctx.inboxIdentifier,
      contactIdentifier: need(ctx, "visitor"),
      conversationId: need(ctx, "visitorConversation"),
      data: { content: "Hi, I need help" },
    });
    check(message.content === "Hi, I need help", "sent");
    ctx.visitorMessage = message.id;
  }],
  ["client.messages.list", async (c, ctx) => {
    const list = await c.client.messages.list({
      inboxIdentifier: ctx.inboxIdentifier,
      contactIdentifier: need(ctx, "visitor"),
      conversationId: need(ctx, "visitorConversation"),
    });
    check(list.some((m) => m.id === need(ctx, "visitorMessage")), "listed");
  }],
  ["client.messages.update", async (c, ctx) => {
    await c.client.messages.update({
      inboxIdentifier: ctx.inboxIdentifier,
      contactIdentifier: need(ctx, "visitor"),
      conversationId: need(ctx, "visitorConversation"),
      messageId: need(ctx, "visitorMessage"),
      data: { submitted_values: [{ name: "email", value: "v@customer.test" }] },
    });
  }],
  ["contacts.listConversations", async (c, ctx) => {
    const list = payload(await c.contacts.listConversations({ accountId: ctx.account, id: need(ctx, "contact") }));
    check(list.some((x) => x.id === need(ctx, "conversation")), "its conversation");
  }],
  ["contacts.delete", async (c, ctx) => {
    await c.contacts.delete({ accountId: ctx.account, id: need(ctx, "contact") });
  }],
  ["agents.delete", async (c, ctx) => {
    await c.agents.delete({ accountId: ctx.account, id: need(ctx, "agent") });
  }],
  ["customFilters.list", async (c, ctx) => {
    await c.customFilters.list({ accountId: ctx.account, filterType: "conversation" });
  }],
  ["automationRule.list", async (c, ctx) => {
    await c.automationRule.list({ accountId: ctx.account });
  }],
  ["integrations.list", async (c, ctx) => {
    await c.integrations.list({ accountId: ctx.account });
  }],
  ["reports.getMetrics", async (c, ctx) => {
    await c.reports.getMetrics({ accountId: ctx.account, type: "account" });
  }],
  ["accountAgentBots.list", async (c, ctx) => {
    await c.accountAgentBots.list({ accountId: ctx.account });
  }],
];

function describe(error) {
  if (error && error.status) {
    return `${error.status} ${JSON.stringify(error.body)}`.slice(0, 600);
  }
  return String(error && error.message ? error.message : error).slice(0, 600);
}

async function main() {
  const [baseUrl, token, accountId] = process.argv.slice(2);
  const client = new ChatwootClient({
    config: { basePath: baseUrl, with_credentials: false, credentials: "omit", token },
  });
  const stamp = String(Date.now());
  const ctx = { account: Number(accountId), stamp };
  for (const [op, run] of OPERATIONS) {
    let line;
    try {
      await run(client, ctx);
      line = { op, ok: true, detail: "" };
    } catch (error) {
      const detail = error instanceof Missing ? `not run: needs ${error.message}` : describe(error);
      line = { op, ok: false, detail };
    }
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
