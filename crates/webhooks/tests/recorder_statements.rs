//! The recorder's cost for a burst no webhook listens to: the account's webhooks and the inbox
//! are read once for the batch, and the cursor is written once, not once per event (on SQLite
//! each write contends with the writes the recorder follows). Counted from sqlx's own statement
//! log; one test in its own binary, as the counter is global.

use domain::contact::ContactFields;
use domain::message::Author;
use domain::{NewContact, NewConversation, NewInbox, NewMessage, Role, Status};
use std::sync::atomic::{AtomicUsize, Ordering};
use store::{Store, WEBHOOK_CURSOR};
use tracing_subscriber::layer::SubscriberExt;

static STATEMENTS: AtomicUsize = AtomicUsize::new(0);

struct CountStatements;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CountStatements {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            let mut statement = Summary(false);
            event.record(&mut statement);
            if !statement.0 {
                STATEMENTS.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
}

/// Whether a logged statement sets a new pool connection up (`PRAGMA …`): the pool's, not
/// the recorder's.
struct Summary(bool);

impl tracing::field::Visit for Summary {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "summary" {
            self.0 = format!("{value:?}").starts_with("\"PRAGMA");
        }
    }
}

#[tokio::test]
async fn a_burst_nobody_listens_to_is_passed_over_with_one_cursor_write() {
    let subscriber = tracing_subscriber::registry().with(CountStatements);
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let store = Store::sqlite_in_temp_dir().await.unwrap();
    let account = store.accounts().create("Acme").await.unwrap().id;
    let agent = store
        .users()
        .create(
            "Ada",
            "ada@acme.test",
            "recorder-test-password",
            Some((account, Role::Administrator)),
        )
        .await
        .unwrap()
        .id;
    let inbox = NewInbox::validate(account, Some("Web"), None).unwrap();
    let inbox = store.inboxes().create(&inbox).await.unwrap().id;
    let fields = ContactFields {
        name: Some("Maria"),
        ..Default::default()
    };
    let contact = NewContact::validate(account, fields, Some(inbox)).unwrap();
    let contact = store.contacts().create(&contact).await.unwrap().contact.id;
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
    let before = store.events().cursor(WEBHOOK_CURSOR).await.unwrap();
    for n in 0..20 {
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
    let batch = store.events().since(before, 1_000).await.unwrap();
    assert!(batch.len() >= 20, "at least a message.created a reply");

    let counted = STATEMENTS.load(Ordering::SeqCst);
    let written =
        webhooks::record_logged(&store, &domain::NobodyOnline, &batch, webhooks::now_ms())
            .await
            .unwrap();
    let statements = STATEMENTS.load(Ordering::SeqCst) - counted;

    assert_eq!(
        written, 0,
        "no webhook, no inbox webhook_url: nothing to deliver"
    );
    assert_eq!(
        store.events().cursor(WEBHOOK_CURSOR).await.unwrap(),
        batch.last().unwrap().id,
        "the cursor is past the whole batch"
    );
    // The account's webhooks (1), the inbox (1), the cursor (1); per event it was 3 each.
    assert_eq!(
        statements,
        3,
        "statements for a batch of {} events nobody listens to",
        batch.len()
    );
}
