//! `Store::event_rows`: the rows a burst of events names are read in a number of queries that
//! does not grow with the burst (counted from sqlx's own statement log), and every event of
//! the burst finds its rows. One test in its own binary: the statement counter is global.

use domain::contact::ContactFields;
use domain::message::Author;
use domain::{Event, NewContact, NewConversation, NewInbox, NewMessage, Role, Status};
use std::sync::atomic::{AtomicUsize, Ordering};
use store::{Bodies, Store};
use tracing_subscriber::layer::SubscriberExt;

/// Statements sqlx ran, from its `sqlx::query` log events.
static STATEMENTS: AtomicUsize = AtomicUsize::new(0);

struct CountStatements;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CountStatements {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            STATEMENTS.fetch_add(1, Ordering::SeqCst);
        }
    }
}

async fn statements_of<T>(work: impl std::future::Future<Output = T>) -> (T, usize) {
    let before = STATEMENTS.load(Ordering::SeqCst);
    let value = work.await;
    (value, STATEMENTS.load(Ordering::SeqCst) - before)
}

async fn burst_case(store: Store) {
    let account = store.accounts().create("Acme").await.unwrap().id;
    let agent = store
        .users()
        .create(
            "Ada",
            "ada@acme.test",
            "rows-test-password",
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
        email: Some("maria@acme.test"),
        ..Default::default()
    };
    let contact = store
        .contacts()
        .create(&NewContact::validate(account, fields, Some(inbox)).unwrap())
        .await
        .unwrap()
        .contact
        .id;
    let before = store.events().last_id().await.unwrap();
    for _ in 0..8 {
        let view = store
            .conversations()
            .create(&NewConversation {
                account_id: account,
                inbox_id: inbox,
                contact_id: contact,
                source_id: None,
                status: Status::Open,
                assignee_id: None,
                custom_attributes: Default::default(),
                additional_attributes: Default::default(),
                first_message: None,
            })
            .await
            .unwrap()
            .value;
        for n in 0..4 {
            let reply = NewMessage::validate(
                Some(&format!("reply {n}")),
                Some("outgoing"),
                None,
                None,
                Author::User(agent),
            )
            .unwrap();
            store
                .by(agent)
                .messages()
                .create(&view, &reply)
                .await
                .unwrap();
        }
    }
    let burst = store.events().since(before, 1_000).await.unwrap();
    assert_eq!(
        burst.len(),
        8 * 5,
        "a conversation.created and four message.created each"
    );
    let named = |events: &[store::LoggedEvent]| -> Vec<(Event, Option<domain::UserId>)> {
        events
            .iter()
            .map(|l| (l.event.clone(), l.performer))
            .collect()
    };
    let all = named(&burst);
    let one = named(&burst[1..2]);

    for bodies in [Bodies::Cable, Bodies::Webhooks] {
        let (rows, for_one) =
            statements_of(store.event_rows(one.iter().map(|(e, p)| (e, *p)), bodies)).await;
        rows.unwrap();
        let (rows, for_all) =
            statements_of(store.event_rows(all.iter().map(|(e, p)| (e, *p)), bodies)).await;
        let rows = rows.unwrap();
        eprintln!(
            "{bodies:?}: one event read in {for_one} statements, {} in {for_all}",
            all.len()
        );
        assert!(for_one > 0, "the statement log is counted");
        assert!(
            for_all <= for_one + 1,
            "{bodies:?}: {} events read in {for_all} statements, one in {for_one}",
            all.len()
        );
        for (event, _) in &all {
            match event {
                Event::MessageCreated {
                    conversation_id,
                    message_id,
                    ..
                } => {
                    let message = rows.message(*message_id).expect("its message");
                    assert_eq!(message.conversation_id, *conversation_id);
                    rows.conversation(*conversation_id)
                        .expect("its conversation");
                    if bodies == Bodies::Webhooks {
                        let last = rows.last_chat(*conversation_id).expect("a chat message");
                        assert_eq!(last.content.as_deref(), Some("reply 3"));
                    }
                }
                Event::ConversationCreated {
                    conversation_id, ..
                } => {
                    rows.conversation(*conversation_id)
                        .expect("its conversation");
                }
                other => panic!("unexpected {other:?}"),
            }
            assert_eq!(rows.audience(event).is_empty(), bodies == Bodies::Webhooks);
        }
        rows.user(agent).expect("the performer");
    }
}

#[tokio::test]
async fn a_burst_of_events_reads_its_rows_in_as_few_statements_as_one_event() {
    let subscriber = tracing_subscriber::registry().with(CountStatements);
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
    burst_case(Store::sqlite_in_temp_dir().await.expect("sqlite")).await;
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) => burst_case(Store::postgres_fresh_schema(&url).await.expect("postgres")).await,
        Err(_) if std::env::var_os("REQUIRE_POSTGRES").is_some() => {
            panic!("REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not")
        }
        Err(_) => eprintln!("postgres: skipped, TEST_DATABASE_URL is not set"),
    }
}
