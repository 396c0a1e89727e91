//! The storage contract: every case runs on SQLite, and on PostgreSQL (a fresh schema) when
//! `TEST_DATABASE_URL` is set, so both backends keep one behaviour.

use domain::contact::ContactFields;
use domain::message::Author;
use domain::{
    AccountId, AssigneeFilter, ConversationFilter, DisplayId, NewContact, NewConversation,
    NewInbox, NewMessage, Role, Status, UserId,
};
use store::{Store, StoreError};

async fn on_each_backend(case: impl AsyncFn(Store)) {
    case(Store::sqlite_in_temp_dir().await.expect("sqlite")).await;
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) => case(Store::postgres_fresh_schema(&url).await.expect("postgres")).await,
        Err(_) if std::env::var_os("REQUIRE_POSTGRES").is_some() => {
            panic!("REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not")
        }
        Err(_) => eprintln!("postgres: skipped, TEST_DATABASE_URL is not set"),
    }
}

struct Fixture {
    account: AccountId,
    admin: UserId,
    inbox: domain::InboxId,
    contact: domain::ContactId,
}

async fn fixture(store: &Store, name: &str) -> Fixture {
    let account = store.accounts().create(name).await.unwrap().id;
    let admin = store
        .users()
        .create(
            "Ada",
            &format!("ada@{name}.test"),
            "contract-test-password",
            Some((account, Role::Administrator)),
        )
        .await
        .unwrap()
        .id;
    let inbox = store
        .inboxes()
        .create(&NewInbox::validate(account, Some("Web"), None).unwrap())
        .await
        .unwrap()
        .id;
    let fields = ContactFields {
        name: Some("Maria"),
        email: Some(&format!("maria@{name}.test")),
        ..Default::default()
    };
    let contact = store
        .contacts()
        .create(&NewContact::validate(account, fields, Some(inbox)).unwrap())
        .await
        .unwrap()
        .contact
        .id;
    Fixture {
        account,
        admin,
        inbox,
        contact,
    }
}

fn new_conversation(f: &Fixture, status: Status, assignee: Option<UserId>) -> NewConversation {
    NewConversation {
        account_id: f.account,
        inbox_id: f.inbox,
        contact_id: f.contact,
        source_id: None,
        status,
        assignee_id: assignee,
        custom_attributes: Default::default(),
        additional_attributes: Default::default(),
        first_message: Some(
            NewMessage::validate(
                Some("hello"),
                Some("incoming"),
                None,
                None,
                Author::Contact(f.contact),
            )
            .unwrap(),
        ),
    }
}

#[test]
fn both_backends_ship_the_same_migrations() {
    let names = |dir: &str| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(dir);
        let mut names: Vec<String> = std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(names("sqlite"), names("postgres"));
}

#[tokio::test]
async fn display_ids_count_per_account() {
    on_each_backend(async |store: Store| {
        let acme = fixture(&store, "acme").await;
        let globex = fixture(&store, "globex").await;
        let mut ids = Vec::new();
        for f in [&acme, &acme, &globex, &acme] {
            let view = store
                .conversations()
                .create(&new_conversation(f, Status::Open, None))
                .await
                .unwrap()
                .value;
            ids.push(view.conversation.display_id.get());
        }
        assert_eq!(ids, [1, 2, 1, 3]);
        let found = store
            .conversations()
            .find(globex.account, DisplayId(1))
            .await
            .unwrap();
        assert_eq!(found.conversation.account_id, globex.account);
        assert!(matches!(
            store
                .conversations()
                .find(globex.account, DisplayId(2))
                .await,
            Err(StoreError::NotFound)
        ));
    })
    .await;
}

#[tokio::test]
async fn the_list_filters_and_counts_by_status_and_assignee() {
    on_each_backend(async |store: Store| {
        let f = fixture(&store, "acme").await;
        for (status, assignee) in [
            (Status::Open, Some(f.admin)),
            (Status::Open, None),
            (Status::Open, None),
            (Status::Resolved, Some(f.admin)),
        ] {
            store
                .conversations()
                .create(&new_conversation(&f, status, assignee))
                .await
                .unwrap();
        }
        let mut filter = ConversationFilter::new(f.account, f.admin, domain::Scope::All);
        let page = store.conversations().list(&filter, true).await.unwrap();
        let counts = page.counts.unwrap();
        assert_eq!(
            (counts.all, counts.mine, counts.unassigned, counts.assigned),
            (3, 1, 2, 1)
        );
        assert_eq!(page.conversations.len(), 3);
        assert!(
            page.conversations.iter().all(|c| c.messages.len() == 1),
            "each row carries its last message"
        );
        filter.assignee = AssigneeFilter::Unassigned;
        assert_eq!(
            store
                .conversations()
                .list(&filter, false)
                .await
                .unwrap()
                .conversations
                .len(),
            2
        );
        filter.status = None;
        filter.assignee = AssigneeFilter::Me;
        assert_eq!(
            store
                .conversations()
                .list(&filter, false)
                .await
                .unwrap()
                .conversations
                .len(),
            2
        );
    })
    .await;
}

#[tokio::test]
async fn an_incoming_message_reopens_a_resolved_conversation() {
    on_each_backend(async |store: Store| {
        let f = fixture(&store, "acme").await;
        let view = store
            .conversations()
            .create(&new_conversation(&f, Status::Resolved, None))
            .await
            .unwrap()
            .value;
        let message = NewMessage::validate(
            Some("still broken"),
            Some("incoming"),
            None,
            None,
            Author::Contact(f.contact),
        )
        .unwrap();
        let outcome = store.messages().create(&view, &message).await.unwrap();
        assert_eq!(
            outcome.events.len(),
            2,
            "message.created and conversation.status_changed"
        );
        let fresh = store
            .conversations()
            .find(f.account, view.conversation.display_id)
            .await
            .unwrap();
        assert_eq!(fresh.conversation.status, Status::Open);
        assert_eq!(fresh.messages.len(), 2);
        assert_eq!(fresh.unread_count, 2);
    })
    .await;
}

#[tokio::test]
async fn labels_are_replaced_and_filterable() {
    on_each_backend(async |store: Store| {
        let f = fixture(&store, "acme").await;
        let a = store
            .conversations()
            .create(&new_conversation(&f, Status::Open, None))
            .await
            .unwrap()
            .value;
        store
            .conversations()
            .create(&new_conversation(&f, Status::Open, None))
            .await
            .unwrap();
        let labels = vec!["vip".to_owned(), "billing".to_owned()];
        let updated = store
            .conversations()
            .set_labels(&a, &labels, None)
            .await
            .unwrap()
            .value;
        assert_eq!(updated.conversation.labels, labels);
        let updated = store
            .conversations()
            .set_labels(&updated, &["billing".to_owned()], None)
            .await
            .unwrap()
            .value;
        assert_eq!(updated.conversation.labels, ["billing"]);
        let mut filter = ConversationFilter::new(f.account, f.admin, domain::Scope::All);
        filter.labels = vec!["billing".into()];
        let page = store.conversations().list(&filter, true).await.unwrap();
        assert_eq!(page.conversations.len(), 1);
        assert_eq!(page.counts.unwrap().all, 1);
        filter.labels = vec!["vip".into()];
        assert!(store
            .conversations()
            .list(&filter, false)
            .await
            .unwrap()
            .conversations
            .is_empty());
    })
    .await;
}

#[tokio::test]
async fn sessions_and_tokens_authenticate_their_user() {
    on_each_backend(async |store: Store| {
        let f = fixture(&store, "acme").await;
        let user = store
            .users()
            .authenticate("ADA@acme.test", "contract-test-password")
            .await
            .unwrap();
        assert_eq!(user.id, f.admin);
        assert!(store
            .users()
            .authenticate("ada@acme.test", "wrong")
            .await
            .is_err());
        let session = store.users().create_session(&user).await.unwrap();
        assert_eq!(
            store.users().session(&session.id).await.unwrap().user.id,
            f.admin
        );
        store.users().delete_session(&session.id).await.unwrap();
        assert!(store.users().session(&session.id).await.is_err());
        let old = store.users().reset_access_token(f.admin).await.unwrap();
        let token = store.users().reset_access_token(f.admin).await.unwrap();
        assert_ne!(old, token);
        assert_eq!(
            store.users().by_access_token(&token).await.unwrap().id,
            f.admin
        );
        // Rotated: the old token names nobody at once.
        assert!(store.users().by_access_token(&old).await.is_err());
        assert!(!store.users().token_is_live(&old).await.unwrap());
        // A session's id is no API token, and an API session's secret is no cookie.
        let cookie = store.users().create_session(&user).await.unwrap();
        assert!(store.users().by_access_token(&cookie.id).await.is_err());
        let api = store.users().create_api_session(&user).await.unwrap();
        assert_eq!(
            store.users().by_access_token(&api).await.unwrap().id,
            f.admin
        );
        assert!(store.users().session(&api).await.is_err());
        store.users().delete_api_session(&api).await.unwrap();
        assert!(store.users().by_access_token(&api).await.is_err());
        // Signing out of an API session never revokes the user's token.
        store.users().delete_api_session(&token).await.unwrap();
        assert!(store.users().token_is_live(&token).await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn demo_agents_get_passwords_of_their_own_and_weak_passwords_are_refused() {
    on_each_backend(async |store: Store| {
        let admin_password = "contract-test-password";
        let demo = store::seed::demo(&store, "admin@example.com", admin_password, None)
            .await
            .unwrap();
        assert_eq!(demo.agent_logins.len(), demo.agents.len());
        let mut seen = vec![admin_password.to_owned()];
        for ((email, password), agent) in demo.agent_logins.iter().zip(&demo.agents) {
            assert_eq!(email, &agent.email);
            assert!(!seen.contains(password), "{email} shares a password");
            seen.push(password.clone());
            let user = store.users().authenticate(email, password).await.unwrap();
            assert_eq!(user.id, agent.id);
            assert!(store
                .users()
                .authenticate(email, admin_password)
                .await
                .is_err());
        }
        for weak in ["short", "password1", "sam.carter1"] {
            let refused = store
                .users()
                .create("Sam Carter", "sam.carter@acme.test", weak, None)
                .await;
            match refused {
                Err(store::StoreError::Invalid(e)) => assert_eq!(e.attributes, ["password"]),
                other => panic!("{weak}: {other:?}"),
            }
        }
    })
    .await;
}

#[tokio::test]
async fn the_bulk_seed_adds_conversations_with_messages() {
    on_each_backend(async |store: Store| {
        let demo = store::seed::demo(&store, "admin@example.com", "contract-test-password", None)
            .await
            .unwrap();
        let total = store::seed::bulk(&store, demo.account.id, 450, 3)
            .await
            .unwrap();
        assert_eq!(total, 30 + 450);
        let last = store
            .conversations()
            .find(demo.account.id, DisplayId(480))
            .await
            .unwrap();
        assert_eq!(last.messages.len(), 3);
        // New conversations continue the account's numbering.
        let f = Fixture {
            account: demo.account.id,
            admin: demo.admin.id,
            inbox: demo.inbox_id,
            contact: last.contact.id,
        };
        let next = store
            .conversations()
            .create(&new_conversation(&f, Status::Open, None))
            .await
            .unwrap()
            .value;
        assert_eq!(next.conversation.display_id, DisplayId(481));
    })
    .await;
}

#[tokio::test]
async fn a_snooze_that_ran_out_reopens_the_conversation_once() {
    on_each_backend(async |store: Store| {
        let f = fixture(&store, "acme").await;
        let admin = store.users().find(f.admin).await.unwrap();
        let conversations = store.conversations();
        let snooze = |until: i64| domain::conversation::StatusChange {
            status: Status::Snoozed,
            snoozed_until: Some(until),
        };
        let now = domain::time::now();
        let mut views = Vec::new();
        for until in [now - 60, now - 1, now + 3600] {
            let view = conversations
                .create(&new_conversation(&f, Status::Open, None))
                .await
                .unwrap()
                .value;
            let snoozed = conversations
                .set_status(&view, snooze(until), &admin)
                .await
                .unwrap()
                .value;
            views.push(snoozed);
        }

        let reopened = conversations.reopen_due_snoozes(now).await.unwrap();
        let ids: Vec<DisplayId> = reopened
            .iter()
            .map(|o| o.value.conversation.display_id)
            .collect();
        assert_eq!(
            ids,
            [
                views[0].conversation.display_id,
                views[1].conversation.display_id
            ],
            "the two that ran out, the oldest first; not the one still snoozed"
        );
        for outcome in &reopened {
            assert_eq!(outcome.value.conversation.status, Status::Open);
            assert_eq!(outcome.value.conversation.snoozed_until, None);
            assert!(matches!(
                outcome.events.as_slice(),
                [domain::Event::ConversationStatusChanged { .. }]
            ));
            let note = outcome.value.messages.last().unwrap();
            assert!(
                note.content
                    .as_deref()
                    .is_some_and(|c| c.contains("snooze ended")),
                "{note:?}"
            );
        }
        assert!(
            conversations
                .reopen_due_snoozes(now)
                .await
                .unwrap()
                .is_empty(),
            "a second sweep (or another instance) finds nothing left to do"
        );
        let later = conversations
            .find(f.account, views[2].conversation.display_id)
            .await
            .unwrap();
        assert_eq!(later.conversation.status, Status::Snoozed);
        assert_eq!(
            conversations
                .reopen_due_snoozes(now + 3600)
                .await
                .unwrap()
                .len(),
            1
        );
    })
    .await;
}

/// A second member of `f`'s account, with the agent role.
async fn agent(store: &Store, f: &Fixture, email: &str) -> UserId {
    store
        .users()
        .create(
            "Sam",
            email,
            "contract-test-password",
            Some((f.account, Role::Agent)),
        )
        .await
        .unwrap()
        .id
}

fn ids(agents: &[domain::Agent]) -> Vec<UserId> {
    agents.iter().map(|a| a.user.id).collect()
}

#[tokio::test]
async fn teams_are_unique_per_account_and_keep_agents_of_the_account_only() {
    on_each_backend(async |store: Store| {
        let f = fixture(&store, "acme").await;
        let g = fixture(&store, "globex").await;
        let sam = agent(&store, &f, "sam@acme.test").await;
        let teams = store.teams();
        let new = domain::NewTeam::validate(f.account, Some("Billing"), None, None).unwrap();
        let billing = teams.create(&new).await.unwrap();
        assert_eq!(billing.name, "billing");
        assert!(matches!(
            teams.create(&new).await,
            Err(StoreError::Taken("name"))
        ));
        // Another account may have a team of that name.
        let other = domain::NewTeam::validate(g.account, Some("billing"), None, None).unwrap();
        let globex_billing = teams.create(&other).await.unwrap();
        assert!(matches!(
            teams.find(f.account, globex_billing.id).await,
            Err(StoreError::NotFound)
        ));

        let added = teams
            .add_members(f.account, billing.id, &[sam, f.admin])
            .await
            .unwrap();
        assert_eq!(ids(&added), [sam, f.admin]);
        // Adding again is no error and no duplicate.
        teams
            .add_members(f.account, billing.id, &[sam])
            .await
            .unwrap();
        assert_eq!(teams.members(f.account, billing.id).await.unwrap().len(), 2);
        // Someone of another account is refused, and nothing is written.
        let refused = teams
            .add_members(f.account, billing.id, &[sam, g.admin])
            .await;
        assert!(
            matches!(&refused, Err(StoreError::Invalid(e)) if e.attributes == ["user_ids"]),
            "{refused:?}"
        );
        let replaced = teams
            .replace_members(f.account, billing.id, &[sam])
            .await
            .unwrap();
        assert_eq!(ids(&replaced), [sam]);
        assert_eq!(
            teams.team_ids_of(f.account, sam).await.unwrap(),
            [billing.id]
        );
        assert!(teams
            .team_ids_of(f.account, f.admin)
            .await
            .unwrap()
            .is_empty());
        teams
            .remove_members(f.account, billing.id, &[sam, f.admin])
            .await
            .unwrap();
        assert!(teams
            .members(f.account, billing.id)
            .await
            .unwrap()
            .is_empty());
        // Another account's team cannot be touched through this account.
        assert!(matches!(
            teams
                .add_members(f.account, globex_billing.id, &[sam])
                .await,
            Err(StoreError::NotFound)
        ));
        let changes =
            domain::TeamChanges::validate(Some("Sales"), Some("Deals"), Some(false)).unwrap();
        let sales = teams.update(f.account, billing.id, &changes).await.unwrap();
        assert_eq!(
            (
                sales.name.as_str(),
                sales.description.as_deref(),
                sales.allow_auto_assign
            ),
            ("sales", Some("Deals"), false)
        );
        teams.delete(f.account, billing.id).await.unwrap();
        assert!(matches!(
            teams.delete(f.account, billing.id).await,
            Err(StoreError::NotFound)
        ));
    })
    .await;
}

#[tokio::test]
async fn inbox_members_are_kept_per_inbox_and_leave_with_the_account() {
    on_each_backend(async |store: Store| {
        let f = fixture(&store, "acme").await;
        let g = fixture(&store, "globex").await;
        let sam = agent(&store, &f, "sam@acme.test").await;
        let priya = agent(&store, &f, "priya@acme.test").await;
        let members = store.inbox_members();
        let all = members.add(f.account, f.inbox, &[sam]).await.unwrap();
        assert_eq!(ids(&all), [sam]);
        let all = members
            .add(f.account, f.inbox, &[priya, sam])
            .await
            .unwrap();
        assert_eq!(all.len(), 2);
        assert!(members.is_member(f.account, f.inbox, sam).await.unwrap());
        assert!(!members
            .is_member(f.account, f.inbox, f.admin)
            .await
            .unwrap());
        assert_eq!(
            members.inbox_ids_of(f.account, sam).await.unwrap(),
            [f.inbox]
        );
        let all = members.replace(f.account, f.inbox, &[priya]).await.unwrap();
        assert_eq!(ids(&all), [priya]);
        assert!(members
            .inbox_ids_of(f.account, sam)
            .await
            .unwrap()
            .is_empty());
        // Other accounts' inboxes and users stay out.
        assert!(matches!(
            members.add(f.account, g.inbox, &[sam]).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            members.add(f.account, f.inbox, &[g.admin]).await,
            Err(StoreError::Invalid(_))
        ));
        assert!(!members.is_member(g.account, f.inbox, priya).await.unwrap());
        // An agent removed from the account leaves its inboxes and teams.
        let team = store
            .teams()
            .create(&domain::NewTeam::validate(f.account, Some("vip"), None, None).unwrap())
            .await
            .unwrap();
        store
            .teams()
            .add_members(f.account, team.id, &[priya])
            .await
            .unwrap();
        // Each account's memberships in one read, for the settings pages.
        assert_eq!(
            members.memberships(f.account).await.unwrap(),
            [(f.inbox, priya)]
        );
        assert!(members.memberships(g.account).await.unwrap().is_empty());
        assert_eq!(
            store.teams().memberships(f.account).await.unwrap(),
            [(team.id, priya)]
        );
        store.users().remove_agent(f.account, priya).await.unwrap();
        assert!(members.memberships(f.account).await.unwrap().is_empty());
        assert!(store
            .teams()
            .memberships(f.account)
            .await
            .unwrap()
            .is_empty());
        assert!(members.agents(f.account, f.inbox).await.unwrap().is_empty());
        assert!(store
            .teams()
            .team_ids_of(f.account, priya)
            .await
            .unwrap()
            .is_empty());
        members.remove(f.account, f.inbox, &[priya]).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_conversation_has_a_team_and_a_priority_and_the_list_filters_by_team() {
    on_each_backend(async |store: Store| {
        let f = fixture(&store, "acme").await;
        let g = fixture(&store, "globex").await;
        let sam = agent(&store, &f, "sam@acme.test").await;
        let admin = store.users().find(f.admin).await.unwrap();
        let team = store
            .teams()
            .create(&domain::NewTeam::validate(f.account, Some("Billing"), None, None).unwrap())
            .await
            .unwrap();
        store
            .teams()
            .add_members(f.account, team.id, &[sam])
            .await
            .unwrap();
        let conversations = store.conversations();
        let one = conversations
            .create(&new_conversation(&f, Status::Open, Some(sam)))
            .await
            .unwrap()
            .value;
        conversations
            .create(&new_conversation(&f, Status::Open, None))
            .await
            .unwrap();
        let outcome = conversations
            .set_team(&one, Some(team.id), &admin)
            .await
            .unwrap();
        let names: Vec<_> = outcome.events.iter().map(|e| e.name()).collect();
        assert_eq!(names, ["conversation.updated", "team.changed"]);
        let view = outcome.value;
        assert_eq!(view.team.as_ref().map(|t| t.name.as_str()), Some("billing"));
        assert_eq!(
            view.conversation.assignee_id,
            Some(sam),
            "the agent of the team stays"
        );
        assert_eq!(
            view.messages.last().and_then(|m| m.content.as_deref()),
            Some("Assigned to billing by Ada")
        );
        // The same team again changes nothing.
        let again = conversations
            .set_team(&view, Some(team.id), &admin)
            .await
            .unwrap();
        assert!(again.events.is_empty());
        // Another account's team is refused, naming team_id.
        let foreign = store
            .teams()
            .create(&domain::NewTeam::validate(g.account, Some("x"), None, None).unwrap())
            .await
            .unwrap();
        let refused = conversations
            .set_team(&view, Some(foreign.id), &admin)
            .await;
        assert!(
            matches!(&refused, Err(StoreError::Invalid(e)) if e.attributes == ["team_id"]),
            "{refused:?}"
        );

        let mut filter = ConversationFilter::new(f.account, f.admin, domain::Scope::All);
        filter.team_id = Some(team.id);
        let page = conversations.list(&filter, true).await.unwrap();
        assert_eq!(page.conversations.len(), 1);
        let counts = page.counts.unwrap();
        assert_eq!((counts.all, counts.assigned, counts.unassigned), (1, 1, 0));
        filter.team_id = None;
        assert_eq!(conversations.counts(&filter).await.unwrap().all, 2);

        let high = conversations
            .set_priority(&view, Some(domain::Priority::High), &admin)
            .await
            .unwrap();
        assert_eq!(high.events[0].name(), "conversation.updated");
        assert_eq!(
            high.value.conversation.priority,
            Some(domain::Priority::High)
        );
        let none = conversations
            .set_priority(&high.value, None, &admin)
            .await
            .unwrap();
        assert_eq!(none.value.conversation.priority, None);
        assert_eq!(
            none.value
                .messages
                .last()
                .and_then(|m| m.content.as_deref()),
            Some("Ada removed the priority")
        );

        // Deleting the team takes conversations off it; the team filter's counts follow.
        filter.team_id = Some(team.id);
        store.teams().delete(f.account, team.id).await.unwrap();
        assert_eq!(conversations.counts(&filter).await.unwrap().all, 0);
        let after = conversations
            .find(f.account, view.conversation.display_id)
            .await
            .unwrap();
        assert_eq!((&after.team, after.conversation.team_id), (&None, None));
        assert_eq!(after.conversation.assignee_id, Some(sam));

        // A team the agent is not in takes the agent off (Chatwoot's AssignmentHandler).
        let sales = store
            .teams()
            .create(&domain::NewTeam::validate(f.account, Some("Sales"), None, None).unwrap())
            .await
            .unwrap();
        let moved = conversations
            .set_team(&after, Some(sales.id), &admin)
            .await
            .unwrap();
        let names: Vec<_> = moved.events.iter().map(|e| e.name()).collect();
        assert_eq!(
            names,
            ["conversation.updated", "team.changed", "assignee.changed"]
        );
        assert_eq!(moved.value.conversation.assignee_id, None);
        assert_eq!(moved.value.conversation.team_id, Some(sales.id));
    })
    .await;
}

#[tokio::test]
async fn the_demo_agents_are_members_of_the_demo_inbox() {
    on_each_backend(async |store: Store| {
        let demo = store::seed::demo(&store, "admin@example.com", "contract-test-password", None)
            .await
            .unwrap();
        let members = store
            .inbox_members()
            .agents(demo.account.id, demo.inbox_id)
            .await
            .unwrap();
        let mut expected: Vec<UserId> = demo.agents.iter().map(|u| u.id).collect();
        let mut got = ids(&members);
        expected.sort();
        got.sort();
        assert_eq!(got, expected);
    })
    .await;
}

#[tokio::test]
async fn deleting_a_message_records_when_it_changed() {
    on_each_backend(async |store: Store| {
        // The demo's messages were written hours ago.
        let demo = store::seed::demo(&store, "admin@example.com", "contract-test-password", None)
            .await
            .unwrap();
        let view = store
            .conversations()
            .find(demo.account.id, DisplayId(1))
            .await
            .unwrap();
        let (first, rest) = view.messages.split_first().expect("demo messages");
        assert_eq!(
            first.updated_at, first.created_at,
            "unchanged until deleted"
        );
        let before = domain::time::now();
        assert!(first.created_at < before - 60, "an aged message");
        let deleted = store.messages().delete(&view, first.id).await.unwrap();
        assert!(deleted.value.updated_at >= before);
        let stored = store
            .messages()
            .find(first.id, &view.contact)
            .await
            .unwrap();
        assert_eq!(stored.updated_at, deleted.value.updated_at);
        assert_eq!(stored.created_at, first.created_at);
        for other in rest {
            let other = store
                .messages()
                .find(other.id, &view.contact)
                .await
                .unwrap();
            assert_eq!(other.updated_at, other.created_at);
        }
    })
    .await;
}

#[tokio::test]
async fn a_throttle_window_counts_hits_until_it_ends_and_is_pruned_after() {
    on_each_backend(async |store: Store| {
        let throttles = store.throttles();
        let t0 = 1_000_000;
        assert_eq!(
            throttles.window("sign_in/ip:10.0.0.1", t0).await.unwrap(),
            None
        );
        for n in 1..=3 {
            let window = throttles
                .hit("sign_in/ip:10.0.0.1", 60, t0 + n)
                .await
                .unwrap();
            assert_eq!(
                window,
                store::Window {
                    hits: n,
                    resets_at: t0 + 61
                }
            );
        }
        // Another key counts apart.
        let other = throttles
            .hit("sign_in/ip:10.0.0.2", 60, t0 + 30)
            .await
            .unwrap();
        assert_eq!(
            other,
            store::Window {
                hits: 1,
                resets_at: t0 + 90
            }
        );
        assert_eq!(
            throttles
                .window("sign_in/ip:10.0.0.1", t0 + 60)
                .await
                .unwrap(),
            Some(store::Window {
                hits: 3,
                resets_at: t0 + 61
            })
        );
        // Once the window has ended it reads as none, and the next hit opens a new one.
        assert_eq!(
            throttles
                .window("sign_in/ip:10.0.0.1", t0 + 61)
                .await
                .unwrap(),
            None
        );
        let window = throttles
            .hit("sign_in/ip:10.0.0.1", 60, t0 + 70)
            .await
            .unwrap();
        assert_eq!(
            window,
            store::Window {
                hits: 1,
                resets_at: t0 + 130
            }
        );
        throttles.clear("sign_in/ip:10.0.0.1").await.unwrap();
        assert_eq!(
            throttles
                .window("sign_in/ip:10.0.0.1", t0 + 71)
                .await
                .unwrap(),
            None
        );

        // Pruning drops ended windows only.
        throttles.hit("a", 10, t0).await.unwrap();
        throttles.hit("b", 100, t0).await.unwrap();
        assert_eq!(
            throttles.prune(t0 + 50).await.unwrap(),
            1,
            "only `a` has ended"
        );
        assert!(throttles.window("b", t0 + 50).await.unwrap().is_some());
        assert_eq!(
            throttles.prune(t0 + 200).await.unwrap(),
            2,
            "`b` and 10.0.0.2"
        );
    })
    .await;
}

/// Another instance on the same database sees the same counts.
#[tokio::test]
async fn throttle_windows_are_shared_by_every_instance_of_a_database() {
    on_each_backend(async |store: Store| {
        let other = store.another_instance();
        store.throttles().hit("k", 60, 100).await.unwrap();
        let window = other.throttles().hit("k", 60, 101).await.unwrap();
        assert_eq!(window.hits, 2);
    })
    .await;
}

/// The list's pages are cached (`counts_cache::PageCache`): each write that changes what a page
/// shows must be seen by the next read, whether it announces an event or not.
#[tokio::test]
async fn a_cached_page_shows_every_write_that_changes_its_rows() {
    on_each_backend(async |store: Store| {
        let f = fixture(&store, "acme").await;
        let view = store
            .conversations()
            .create(&new_conversation(&f, Status::Open, Some(f.admin)))
            .await
            .unwrap()
            .value;
        let filter = ConversationFilter::new(f.account, f.admin, domain::Scope::All);
        let row = async || {
            let page = store.conversations().list(&filter, true).await.unwrap();
            page.conversations.first().cloned()
        };
        let last_content = |row: &domain::ConversationView| row.messages[0].content.clone();
        assert_eq!(
            row().await.unwrap().messages.len(),
            1,
            "the page is cached now"
        );

        let reply = NewMessage::validate(
            Some("on its way"),
            Some("outgoing"),
            None,
            None,
            Author::User(f.admin),
        )
        .unwrap();
        let sent = store.messages().create(&view, &reply).await.unwrap().value;
        assert_eq!(
            last_content(&row().await.unwrap()).as_deref(),
            Some("on its way")
        );

        store.messages().delete(&view, sent.id).await.unwrap();
        assert_ne!(
            last_content(&row().await.unwrap()).as_deref(),
            Some("on its way")
        );

        let rename = domain::contact::ContactChanges {
            name: Some(Some("Maria Lopez".into())),
            ..Default::default()
        };
        store
            .contacts()
            .update(f.account, f.contact, &rename)
            .await
            .unwrap();
        assert_eq!(
            row().await.unwrap().contact.name.as_deref(),
            Some("Maria Lopez")
        );

        let busy = domain::user::AgentChanges {
            availability: Some(domain::user::Availability::Busy),
            ..Default::default()
        };
        store
            .users()
            .update_agent(f.account, f.admin, &busy)
            .await
            .unwrap();
        assert_eq!(row().await.unwrap().assignee.unwrap().availability, "busy");

        let profile = store::ProfileChanges {
            name: Some("Ada Lovelace".into()),
            display_name: None,
        };
        store
            .users()
            .update_profile(f.admin, &profile)
            .await
            .unwrap();
        assert_eq!(
            row().await.unwrap().assignee.unwrap().user.name,
            "Ada Lovelace"
        );

        store.contacts().delete(f.account, f.contact).await.unwrap();
        assert!(
            row().await.is_none(),
            "the contact's conversations went with it"
        );
    })
    .await;
}
