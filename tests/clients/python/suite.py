"""Runs every operation of Chatwoot's published Python SDK (chatwoot-sdk, unmodified) against a
Switchboard server and prints one JSON line per operation: {"op", "ok", "detail"}.

Usage: suite.py BASE_URL API_TOKEN ACCOUNT_ID

The operations run in order and share what earlier ones made (a contact, its source_id, a
conversation, a team...), as an integration's backend would. A failing operation never stops the
run; one that needs what an earlier one failed to make reports that instead. Whether an
operation is expected to pass is not decided here: tests/clients/main.rs compares these lines
with the table in docs/COMPATIBILITY.md.
"""

import json
import sys
import time
import traceback

from chatwoot import ChatwootClient


class Missing(Exception):
    """An earlier operation did not produce what this one needs."""


def main():
    base_url, token, account_id = sys.argv[1], sys.argv[2], int(sys.argv[3])
    client = ChatwootClient(base_url=base_url, api_token=token, timeout=20.0)
    stamp = str(int(time.time() * 1000))
    ctx = {"account": account_id, "stamp": stamp, "label": f"sdk-{stamp}"}
    for name, operation in OPERATIONS:
        try:
            detail = operation(client, ctx)
            report(name, True, detail)
        except Missing as missing:
            report(name, False, f"not run: needs {missing}")
        except Exception as error:  # the client's own exceptions and pydantic's
            lines = traceback.format_exception_only(type(error), error)
            report(name, False, " ".join(line.strip() for line in lines)[:600])
    client.close()


def report(name, ok, detail):
    print(json.dumps({"op": name, "ok": ok, "detail": detail or ""}), flush=True)


def need(ctx, key):
    if key not in ctx:
        raise Missing(key)
    return ctx[key]


def check(condition, message):
    if not condition:
        raise AssertionError(message)


# --- profile ---------------------------------------------------------------------------------

def profile_get(c, ctx):
    profile = c.profile.get()
    ctx["me"] = profile.id
    check(profile.email, "the profile has an e-mail")
    check(any(a.id == ctx["account"] for a in profile.accounts), "the account is listed")


# --- agents ----------------------------------------------------------------------------------

def agents_list(c, ctx):
    agents = c.agents.list(ctx["account"])
    check(any(a.id == need(ctx, "me") for a in agents), "the caller is among the agents")


def agents_add(c, ctx):
    email = f"sdk-agent-{ctx['stamp']}@example.test"
    agent = c.agents.add(ctx["account"], name="SDK Agent", email=email, role="agent")
    check(agent.email == email and agent.role.value == "agent", "the agent as added")
    ctx["agent"] = agent.id


def agents_update(c, ctx):
    agent = c.agents.update(ctx["account"], need(ctx, "agent"), role="administrator",
                            availability="busy")
    check(agent.role.value == "administrator", f"role changed, got {agent.role}")
    check(agent.availability_status is not None and agent.availability_status.value == "busy",
          f"availability stored, got {agent.availability_status}")


def agents_get(c, ctx):
    agent = c.agents.get(ctx["account"], need(ctx, "agent"))
    check(agent.id == ctx["agent"], "the same agent")


# --- inboxes ---------------------------------------------------------------------------------

def inboxes_list(c, ctx):
    inboxes = c.inboxes.list(ctx["account"])
    check(inboxes, "at least one inbox")
    ctx["inbox"] = inboxes[0].id


def inboxes_create(c, ctx):
    inbox = c.inboxes.create(ctx["account"], name=f"SDK inbox {ctx['stamp']}", channel_type="api")
    check(inbox.channel_type == "Channel::Api", f"an API inbox, got {inbox.channel_type}")
    ctx["new_inbox"] = inbox.id


def inboxes_get(c, ctx):
    inbox = c.inboxes.get(ctx["account"], need(ctx, "new_inbox"))
    check(inbox.id == ctx["new_inbox"], "the same inbox")


def inboxes_update(c, ctx):
    inbox = c.inboxes.update(ctx["account"], need(ctx, "new_inbox"), name="SDK inbox renamed",
                             enable_auto_assignment=False, greeting_enabled=True,
                             greeting_message="Hello from the SDK")
    check(inbox.name == "SDK inbox renamed", "renamed")
    check(inbox.enable_auto_assignment is False, "enable_auto_assignment stored")
    check(inbox.greeting_enabled is True, "greeting_enabled stored")
    check(inbox.greeting_message == "Hello from the SDK", "greeting_message stored")


def inboxes_agent_bot(c, ctx):
    c.inboxes.get_agent_bot(ctx["account"], need(ctx, "new_inbox"))


def inboxes_set_agent_bot(c, ctx):
    c.inboxes.set_agent_bot(ctx["account"], need(ctx, "new_inbox"), None)


def inbox_member_ids(c, ctx):
    """The inbox's members as the server has them, read through the SDK's own transport: the
    SDK's inbox-member methods always return [] (its transport unwraps `payload`, then the
    method looks for `payload` again), whatever the server answers -- Chatwoot included."""
    answer = c._http.get(f"/api/v1/accounts/{ctx['account']}/inbox_members/{ctx['new_inbox']}")
    return sorted(member["id"] for member in answer)


def inbox_members_add(c, ctx):
    c.inboxes.agents.add(ctx["account"], need(ctx, "new_inbox"), [need(ctx, "me")])
    check(inbox_member_ids(c, ctx) == [ctx["me"]], "the caller is a member")


def inbox_members_update(c, ctx):
    c.inboxes.agents.update(ctx["account"], need(ctx, "new_inbox"), [ctx["me"], need(ctx, "agent")])
    check(inbox_member_ids(c, ctx) == sorted([ctx["me"], ctx["agent"]]), "the set was replaced")


def inbox_members_list(c, ctx):
    members = c.inboxes.agents.list(ctx["account"], need(ctx, "new_inbox"))
    check({m.id for m in members} == {ctx["me"], need(ctx, "agent")}, "both members")


def inbox_members_remove(c, ctx):
    c.inboxes.agents.remove(ctx["account"], need(ctx, "new_inbox"), [need(ctx, "agent")])
    check(inbox_member_ids(c, ctx) == [ctx["me"]], "the agent was removed")


# --- contacts --------------------------------------------------------------------------------

def contacts_create(c, ctx):
    created = c.contacts.create(ctx["account"], need(ctx, "inbox"), name="SDK Contact",
                                email=f"sdk-{ctx['stamp']}@customer.test",
                                custom_attributes={"plan": "pro"})
    check(created.contact.name == "SDK Contact", "the contact as created")
    check(created.contact_inbox.source_id, "a source_id to start a conversation with")
    ctx["contact"] = created.contact.id
    ctx["source_id"] = created.contact_inbox.source_id


def contacts_list(c, ctx):
    contacts = c.contacts.list(ctx["account"])
    check(contacts, "some contacts")


def contacts_search(c, ctx):
    found = c.contacts.search(ctx["account"], f"sdk-{ctx['stamp']}")
    check([x.id for x in found] == [need(ctx, "contact")], "exactly the new contact")


def contacts_get(c, ctx):
    contact = c.contacts.get(ctx["account"], need(ctx, "contact"))
    check(contact.custom_attributes.get("plan") == "pro", "custom attributes kept")
    check(any(ci.source_id == ctx["source_id"] for ci in contact.contact_inboxes),
          "contact_inboxes[] carries the source_id")


def contacts_update(c, ctx):
    contact = c.contacts.update(ctx["account"], need(ctx, "contact"), phone_number="+15550001111")
    check(contact.phone_number == "+15550001111", f"phone stored, got {contact.phone_number}")


def contact_labels_add(c, ctx):
    labels = c.contacts.labels.add(ctx["account"], need(ctx, "contact"), ["vip", "beta"])
    check(sorted(labels) == ["beta", "vip"], f"labels set, got {labels}")


def contact_labels_list(c, ctx):
    labels = c.contacts.labels.list(ctx["account"], need(ctx, "contact"))
    check(sorted(labels) == ["beta", "vip"], f"labels read back, got {labels}")


def contacts_contactable_inboxes(c, ctx):
    inboxes = c.contacts.contactable_inboxes(ctx["account"], need(ctx, "contact"))
    check(any(i.get("source_id") == ctx["source_id"] for i in inboxes), "its inbox is listed")


# --- conversations ---------------------------------------------------------------------------

def conversations_create(c, ctx):
    conversation = c.conversations.create(ctx["account"], source_id=need(ctx, "source_id"),
                                          inbox_id=need(ctx, "inbox"),
                                          contact_id=need(ctx, "contact"))
    check(conversation.status.value == "open", "a new open conversation")
    ctx["conversation"] = conversation.id


def conversations_list(c, ctx):
    conversations = c.conversations.list(ctx["account"], status="open", assignee_type="all")
    check(any(x.id == need(ctx, "conversation") for x in conversations), "the new one is listed")


def conversations_list_by_inbox(c, ctx):
    conversations = c.conversations.list(ctx["account"], inbox_id=need(ctx, "inbox"))
    check(all(x.inbox_id == ctx["inbox"] for x in conversations), "only that inbox")


def conversations_get(c, ctx):
    conversation = c.conversations.get(ctx["account"], need(ctx, "conversation"))
    check(conversation.meta and conversation.meta.sender
          and conversation.meta.sender.id == need(ctx, "contact"), "meta.sender is the contact")


def conversation_labels_add(c, ctx):
    labels = c.conversations.labels.add(ctx["account"], need(ctx, "conversation"), [ctx["label"]])
    check(labels == [ctx["label"]], f"labels set, got {labels}")


def conversation_labels_list(c, ctx):
    labels = c.conversations.labels.list(ctx["account"], need(ctx, "conversation"))
    check(labels == [ctx["label"]], f"labels read back, got {labels}")


def conversations_list_by_labels(c, ctx):
    conversations = c.conversations.list(ctx["account"], labels=[ctx["label"]])
    check([x.id for x in conversations] == [need(ctx, "conversation")], "only the labelled one")


def conversations_toggle_status(c, ctx):
    result = c.conversations.toggle_status(ctx["account"], need(ctx, "conversation"), "resolved")
    check(result.current_status.value == "resolved", "resolved")
    result = c.conversations.toggle_status(ctx["account"], ctx["conversation"], "open")
    check(result.current_status.value == "open", "reopened")


def conversations_get_counts(c, ctx):
    counts = c.conversations.get_counts(ctx["account"], status="open")
    meta = counts.get("meta", counts)
    check(isinstance(meta.get("all_count"), int), f"all_count, got {counts}")


def conversations_update_priority(c, ctx):
    conversation = c.conversations.update(ctx["account"], need(ctx, "conversation"),
                                          priority="high")
    check(conversation.priority is not None and conversation.priority.value == "high",
          f"priority stored, got {conversation.priority}")


def conversations_assign(c, ctx):
    conversation = c.conversations.assign(ctx["account"], need(ctx, "conversation"),
                                          need(ctx, "me"))
    check(conversation.assignee_id == ctx["me"] or (
        conversation.meta and conversation.meta.assignee
        and conversation.meta.assignee.id == ctx["me"]), "assigned")


# --- messages --------------------------------------------------------------------------------

def messages_create(c, ctx):
    message = c.messages.create(ctx["account"], need(ctx, "conversation"), content="Hi from the SDK")
    check(message.content == "Hi from the SDK", "the message as sent")
    check(message.conversation_id == ctx["conversation"], "in that conversation")
    ctx["message"] = message.id


def messages_create_private(c, ctx):
    message = c.messages.create(ctx["account"], need(ctx, "conversation"), content="A note",
                                private=True)
    check(message.private is True, "a private note")


def messages_create_input_select(c, ctx):
    message = c.messages.create(ctx["account"], need(ctx, "conversation"), content="Pick one",
                                content_type="input_select",
                                content_attributes={"items": [{"title": "A", "value": "a"}]})
    check(message.content_type is not None and message.content_type.value == "input_select",
          f"content_type stored, got {message.content_type}")
    check(message.content_attributes.get("items"), "content_attributes stored")


def messages_list(c, ctx):
    messages = c.messages.list(ctx["account"], need(ctx, "conversation"))
    check(any(m.id == need(ctx, "message") for m in messages), "the message is listed")


def messages_update(c, ctx):
    c.messages.update(ctx["account"], need(ctx, "message"), "edited")


def messages_delete(c, ctx):
    c.messages.delete(ctx["account"], need(ctx, "message"))


# --- teams -----------------------------------------------------------------------------------

def teams_create(c, ctx):
    team = c.teams.create(ctx["account"], name=f"sdk team {ctx['stamp']}",
                          description="made by the SDK")
    check(team.account_id == ctx["account"], "in the account")
    ctx["team"] = team.id


def teams_list(c, ctx):
    teams = c.teams.list(ctx["account"])
    check(any(t.id == need(ctx, "team") for t in teams), "the team is listed")


def teams_get(c, ctx):
    team = c.teams.get(ctx["account"], need(ctx, "team"))
    check(team.description == "made by the SDK", "the same team")


def teams_update(c, ctx):
    team = c.teams.update(ctx["account"], need(ctx, "team"), description="renamed")
    check(team.description == "renamed", "updated")


def team_members_add(c, ctx):
    c.teams.agents.add(ctx["account"], need(ctx, "team"), [need(ctx, "me")])


def team_members_list(c, ctx):
    members = c.teams.agents.list(ctx["account"], need(ctx, "team"))
    check([m.id for m in members] == [need(ctx, "me")], "the caller is the member")


def conversations_update_team(c, ctx):
    conversation = c.conversations.update(ctx["account"], need(ctx, "conversation"),
                                          team_id=need(ctx, "team"))
    check(conversation.meta and conversation.meta.team
          and conversation.meta.team.id == ctx["team"], "meta.team set")


def team_members_remove(c, ctx):
    c.teams.agents.remove(ctx["account"], need(ctx, "team"), [need(ctx, "me")])
    check(c.teams.agents.list(ctx["account"], ctx["team"]) == [], "no members left")


def teams_delete(c, ctx):
    c.teams.delete(ctx["account"], need(ctx, "team"))


# --- the destructive end ---------------------------------------------------------------------

def contacts_conversations(c, ctx):
    conversations = c.contacts.conversations(ctx["account"], need(ctx, "contact"))
    check([x.id for x in conversations] == [need(ctx, "conversation")], "its one conversation")


def contacts_merge(c, ctx):
    other = c.contacts.create(ctx["account"], need(ctx, "inbox"), name="Duplicate",
                              email=f"dup-{ctx['stamp']}@customer.test")
    merged = c.contacts.merge(ctx["account"], need(ctx, "contact"), other.contact.id)
    check(merged.id == ctx["contact"], "the base contact remains")


def contacts_delete(c, ctx):
    c.contacts.delete(ctx["account"], need(ctx, "contact"))


def agents_remove(c, ctx):
    c.agents.remove(ctx["account"], need(ctx, "agent"))
    check(all(a.id != ctx["agent"] for a in c.agents.list(ctx["account"])), "gone")


OPERATIONS = [
    ("profile.get", profile_get),
    ("agents.list", agents_list),
    ("agents.add", agents_add),
    ("agents.update", agents_update),
    ("agents.get", agents_get),
    ("inboxes.list", inboxes_list),
    ("inboxes.create", inboxes_create),
    ("inboxes.get", inboxes_get),
    ("inboxes.update", inboxes_update),
    ("inboxes.get_agent_bot", inboxes_agent_bot),
    ("inboxes.set_agent_bot", inboxes_set_agent_bot),
    ("inboxes.agents.add", inbox_members_add),
    ("inboxes.agents.update", inbox_members_update),
    ("inboxes.agents.list", inbox_members_list),
    ("inboxes.agents.remove", inbox_members_remove),
    ("contacts.create", contacts_create),
    ("contacts.list", contacts_list),
    ("contacts.search", contacts_search),
    ("contacts.get", contacts_get),
    ("contacts.update", contacts_update),
    ("contacts.labels.add", contact_labels_add),
    ("contacts.labels.list", contact_labels_list),
    ("contacts.contactable_inboxes", contacts_contactable_inboxes),
    ("conversations.create", conversations_create),
    ("conversations.list", conversations_list),
    ("conversations.list(inbox_id)", conversations_list_by_inbox),
    ("conversations.get", conversations_get),
    ("conversations.labels.add", conversation_labels_add),
    ("conversations.labels.list", conversation_labels_list),
    ("conversations.list(labels)", conversations_list_by_labels),
    ("conversations.toggle_status", conversations_toggle_status),
    ("conversations.get_counts", conversations_get_counts),
    ("conversations.update(priority)", conversations_update_priority),
    ("conversations.assign", conversations_assign),
    ("messages.create", messages_create),
    ("messages.create(private)", messages_create_private),
    ("messages.create(input_select)", messages_create_input_select),
    ("messages.list", messages_list),
    ("messages.update", messages_update),
    ("messages.delete", messages_delete),
    ("teams.create", teams_create),
    ("teams.list", teams_list),
    ("teams.get", teams_get),
    ("teams.update", teams_update),
    ("teams.agents.add", team_members_add),
    ("teams.agents.list", team_members_list),
    ("conversations.update(team_id)", conversations_update_team),
    ("teams.agents.remove", team_members_remove),
    ("teams.delete", teams_delete),
    ("contacts.conversations", contacts_conversations),
    ("contacts.merge", contacts_merge),
    ("contacts.delete", contacts_delete),
    ("agents.remove", agents_remove),
]


if __name__ == "__main__":
    main()
