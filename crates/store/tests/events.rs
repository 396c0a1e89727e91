//! The event log: writes log their events with their performer in their own transaction,
//! a failed write logs nothing, and pruning keeps the log bounded. Both backends, as in
//! `contract.rs`.

use domain::contact::{ContactChanges, ContactFields};
use domain::{ContactId, Event, NewContact, NewInbox, Role};
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

async fn contact(store: &Store, account: domain::AccountId, email: &str) -> ContactId {
    let fields = ContactFields {
        name: Some("Maria"),
        email: Some(email),
        ..Default::default()
    };
    store
        .contacts()
        .create(&NewContact::validate(account, fields, None).unwrap())
        .await
        .unwrap()
        .contact
        .id
}

#[tokio::test]
async fn a_write_logs_its_events_with_the_performer_and_a_failed_write_logs_none() {
    on_each_backend(async |store: Store| {
        let account = store.accounts().create("Acme").await.unwrap().id;
        let agent = store
            .users()
            .create(
                "Ada",
                "ada@acme.test",
                "events-test-password",
                Some((account, Role::Agent)),
            )
            .await
            .unwrap()
            .id;
        store
            .inboxes()
            .create(&NewInbox::validate(account, Some("Web"), None).unwrap())
            .await
            .unwrap();
        let maria = contact(&store, account, "maria@acme.test").await;
        contact(&store, account, "other@acme.test").await;
        let before = store.events().last_id().await.unwrap();

        let changes = ContactChanges {
            name: Some(Some("Maria L.".into())),
            ..Default::default()
        };
        store
            .by(agent)
            .contacts()
            .update(account, maria, &changes)
            .await
            .unwrap();
        let logged = store.events().since(before, 10).await.unwrap();
        assert_eq!(logged.len(), 1, "{logged:?}");
        assert_eq!(
            logged[0].event,
            Event::ContactUpdated {
                account_id: account,
                contact_id: maria
            }
        );
        assert_eq!(logged[0].performer, Some(agent));

        // Taking another contact's e-mail fails inside the transaction: nothing is logged.
        let after = logged[0].id;
        let taken = ContactChanges {
            email: Some(Some("other@acme.test".into())),
            ..Default::default()
        };
        let refused = store
            .by(agent)
            .contacts()
            .update(account, maria, &taken)
            .await;
        assert!(
            matches!(refused, Err(StoreError::Taken("email"))),
            "{refused:?}"
        );
        assert_eq!(store.events().since(after, 10).await.unwrap(), Vec::new());
    })
    .await;
}

#[tokio::test]
async fn pruning_keeps_the_newest_rows_and_drops_old_ones() {
    on_each_backend(async |store: Store| {
        let account = store.accounts().create("Acme").await.unwrap().id;
        let maria = contact(&store, account, "maria@acme.test").await;
        let mut changes = ContactChanges::default();
        for n in 0..5 {
            changes.name = Some(Some(format!("Maria {n}")));
            store
                .contacts()
                .update(account, maria, &changes)
                .await
                .unwrap();
        }
        let last = store.events().last_id().await.unwrap();
        // Nothing is older than an hour ago: only the row bound prunes.
        let now = domain::time::now();
        store.events().prune(now - 3600, 2).await.unwrap();
        let kept: Vec<i64> = store
            .events()
            .since(0, 100)
            .await
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(kept, vec![last - 1, last]);
        assert!(store
            .events()
            .holds_everything_after(last - 2)
            .await
            .unwrap());
        assert!(!store
            .events()
            .holds_everything_after(last - 3)
            .await
            .unwrap());
        // Everything is older than a minute from now: the age bound takes the rest.
        store.events().prune(now + 60, 1_000).await.unwrap();
        assert_eq!(store.events().since(0, 100).await.unwrap(), Vec::new());
    })
    .await;
}

#[tokio::test]
async fn removing_an_agent_and_deleting_an_inbox_are_logged() {
    on_each_backend(async |store: Store| {
        let account = store.accounts().create("Acme").await.unwrap().id;
        let admin = store
            .users()
            .create(
                "Ada",
                "ada@acme.test",
                "events-test-password",
                Some((account, Role::Administrator)),
            )
            .await
            .unwrap()
            .id;
        let agent = store
            .users()
            .create(
                "Bo",
                "bo@acme.test",
                "events-test-password",
                Some((account, Role::Agent)),
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
        let before = store.events().last_id().await.unwrap();

        store
            .by(admin)
            .users()
            .remove_agent(account, agent)
            .await
            .unwrap();
        store
            .by(admin)
            .inboxes()
            .delete(account, inbox)
            .await
            .unwrap();
        // A second delete finds nothing: a 404, and nothing logged.
        let again = store.by(admin).inboxes().delete(account, inbox).await;
        assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");

        let logged = store.events().since(before, 10).await.unwrap();
        let events: Vec<_> = logged
            .iter()
            .map(|l| (l.event.clone(), l.performer))
            .collect();
        assert_eq!(
            events,
            vec![
                (
                    Event::AgentRemoved {
                        account_id: account,
                        user_id: agent
                    },
                    Some(admin)
                ),
                (
                    Event::InboxDeleted {
                        account_id: account,
                        inbox_id: inbox
                    },
                    Some(admin)
                ),
            ]
        );
    })
    .await;
}
