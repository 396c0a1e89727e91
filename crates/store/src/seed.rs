//! Demo data for a fresh install ("Acme Support") and bulk data for benchmarks.

use crate::{on_pool, on_writer, Store, StoreError};
use domain::contact::ContactFields;
use domain::dashboard_app::{AppAction, ControlChanges};
use domain::message::Author;
use domain::{
    Account, AccountId, ConversationFilter, InboxId, NewContact, NewConversation, NewDashboardApp,
    NewInbox, NewLabel, NewMessage, Role, Status, User,
};
use serde_json::json;
use sqlx::QueryBuilder;

/// Who can sign in to the demo, and where things are.
#[derive(Debug, Clone)]
pub struct Demo {
    pub account: Account,
    pub admin: User,
    pub agents: Vec<User>,
    /// Each demo agent's e-mail and generated password, in `agents`' order: shown once at
    /// start-up, never stored in clear.
    pub agent_logins: Vec<(String, String)>,
    pub inbox_id: InboxId,
}

const AGENTS: [(&str, &str); 2] = [
    ("Sam Carter", "sam@acme.example"),
    ("Priya Nair", "priya@acme.example"),
];

const LABELS: [(&str, &str, &str); 6] = [
    ("billing", "Invoices, refunds and plan changes", "#1f93ff"),
    ("shipping", "Where is my order", "#f59e0b"),
    ("bug", "Something is broken", "#ef4444"),
    ("vip", "Enterprise and key accounts", "#8b5cf6"),
    ("feedback", "Ideas and feature requests", "#10b981"),
    ("onboarding", "New customers getting started", "#0ea5e9"),
];

/// (name, email, phone, company, plan, city)
const CONTACTS: [(&str, &str, &str, &str, &str, &str); 20] = [
    (
        "Maria Lopez",
        "maria@northwind.example",
        "+14155550100",
        "Northwind Bakery",
        "pro",
        "San Francisco",
    ),
    (
        "James Okafor",
        "james@brightlane.example",
        "+442071838750",
        "Brightlane Studio",
        "starter",
        "London",
    ),
    (
        "Aiko Tanaka",
        "aiko@kumo.example",
        "+81312345678",
        "Kumo Logistics",
        "enterprise",
        "Tokyo",
    ),
    (
        "Lukas Becker",
        "lukas@feldhaus.example",
        "+4930901820",
        "Feldhaus GmbH",
        "pro",
        "Berlin",
    ),
    (
        "Sofia Rossi",
        "sofia@trattoria.example",
        "+390612345678",
        "Trattoria Rossi",
        "starter",
        "Rome",
    ),
    (
        "Daniel Kim",
        "daniel@parcelpoint.example",
        "+12125550143",
        "ParcelPoint",
        "enterprise",
        "New York",
    ),
    (
        "Amara Mensah",
        "amara@sunleaf.example",
        "+233302123456",
        "Sunleaf Tea Co.",
        "pro",
        "Accra",
    ),
    (
        "Oliver Smith",
        "oliver@pinecrest.example",
        "+61290001234",
        "Pinecrest Outdoors",
        "pro",
        "Sydney",
    ),
    (
        "Chloé Martin",
        "chloe@atelier.example",
        "+33142681234",
        "Atelier Martin",
        "starter",
        "Paris",
    ),
    (
        "Ravi Patel",
        "ravi@quickcart.example",
        "+919820012345",
        "QuickCart",
        "enterprise",
        "Mumbai",
    ),
    (
        "Emma Johansson",
        "emma@fjord.example",
        "+46812345678",
        "Fjord Design",
        "pro",
        "Stockholm",
    ),
    (
        "Carlos Mendes",
        "carlos@cafebrasil.example",
        "+551130001234",
        "Café Brasil",
        "starter",
        "São Paulo",
    ),
    (
        "Hannah Wright",
        "hannah@wrightlaw.example",
        "+13125550199",
        "Wright & Co. Legal",
        "pro",
        "Chicago",
    ),
    (
        "Yusuf Demir",
        "yusuf@anatolia.example",
        "+902121234567",
        "Anatolia Textiles",
        "pro",
        "Istanbul",
    ),
    (
        "Grace Liu",
        "grace@lotusclinic.example",
        "+85221234567",
        "Lotus Clinic",
        "enterprise",
        "Hong Kong",
    ),
    (
        "Noah Williams",
        "noah@bluepeak.example",
        "+16045550123",
        "Blue Peak Cycles",
        "starter",
        "Vancouver",
    ),
    (
        "Fatima Zahra",
        "fatima@atlasfoods.example",
        "+212522123456",
        "Atlas Foods",
        "pro",
        "Casablanca",
    ),
    (
        "Ethan Brown",
        "ethan@hollowoak.example",
        "+14045550187",
        "Hollow Oak Games",
        "starter",
        "Atlanta",
    ),
    (
        "Isabella García",
        "isabella@solymar.example",
        "+34911234567",
        "Sol y Mar Hotels",
        "enterprise",
        "Madrid",
    ),
    (
        "Mateo Silva",
        "mateo@andes.example",
        "+5112345678",
        "Andes Coffee Roasters",
        "pro",
        "Lima",
    ),
];

/// Realistic threads: (labels, lines). Lines starting with "> " are the agent's, "# " notes.
const THREADS: [(&[&str], &[&str]); 10] = [
    (&["shipping"], &[
        "Hi, my order #5521 has not arrived yet. It was supposed to be here Monday.",
        "> Sorry about that! Let me check the tracking for you.",
        "# Carrier shows it stuck at the Oakland hub since Friday.",
        "> The parcel is delayed at the carrier's hub. I've asked them to prioritise it and it should arrive within 2 days.",
        "Thanks, that helps. Can you let me know if it moves?",
    ]),
    (&["billing"], &[
        "I was charged twice for my subscription this month.",
        "> Thanks for flagging this. I can see two charges on the 3rd, one of them is a duplicate.",
        "> I've refunded the duplicate charge, it will show on your statement in 3-5 business days.",
        "Perfect, thank you for the quick help!",
    ]),
    (&["bug"], &[
        "The export button on the reports page does nothing when I click it.",
        "> Which browser are you using? And does it happen for every report?",
        "Chrome 131 on a Mac. Only the monthly report, weekly works fine.",
        "# Reproduced with a monthly range > 31 days. Filed ENG-2291.",
        "> We reproduced it and our engineers are on it. As a workaround, exporting two half-month ranges works.",
    ]),
    (&["vip", "billing"], &[
        "We'd like to move our team of 40 to the annual enterprise plan. Can you send a quote?",
        "> Absolutely. I'll prepare a quote with the volume discount and send it by end of day.",
        "# Loop in account management for the contract.",
    ]),
    (&["feedback"], &[
        "It would be great if we could schedule reports to be emailed every Monday.",
        "> Great idea, thank you! I've passed this to the product team.",
    ]),
    (&["onboarding"], &[
        "Just signed up. How do I invite the rest of my team?",
        "> Welcome aboard! Go to Settings > Team and click 'Invite'. Each person gets an email link.",
        "Found it, thanks!",
    ]),
    (&["shipping", "vip"], &[
        "Can we change the delivery address for order #7730? We moved warehouses.",
        "> Sure, what's the new address?",
        "Unit 4, 18 Harbour Road, Kowloon.",
        "> Updated. The order ships tomorrow to the new address.",
    ]),
    (&["bug"], &[
        "I can't log in since this morning, it says my password is wrong but I reset it twice.",
        "> Sorry for the trouble. Could you try a private browser window? Sometimes an old session gets in the way.",
    ]),
    (&["billing"], &[
        "Do you offer discounts for non-profits?",
        "> We do: 30% off any plan. Could you send us your registration document?",
        "Sent it to billing@ just now.",
    ]),
    (&[], &[
        "Hello? Is anyone there?",
    ]),
];

/// Seeds the demo account: an administrator (`admin_email` / `admin_password`), two agents
/// (each with a random password of their own, returned for printing), an API inbox, labels, 20 contacts and 30 conversations in every status.
/// The secret setting the demo app reads the shop's loyalty API with (`web::demo_app::loyalty`).
pub const DEMO_APP_KEY_SETTING: &str = "loyalty_api_key";

/// The settings the demo app declares: the shop's API key, a secret.
pub fn demo_app_settings() -> Vec<domain::app_setting::SettingDefinition> {
    domain::app_setting::schema_of(&json!([{
        "key": DEMO_APP_KEY_SETTING,
        "label": "Loyalty API key",
        "type": "secret",
        "required": true
    }]))
    .expect("the demo app's settings are valid")
}

/// With `demo_app_url`, also registers the "Customer orders" dashboard app.
pub async fn demo(
    store: &Store,
    admin_email: &str,
    admin_password: &str,
    demo_app_url: Option<&str>,
) -> Result<Demo, StoreError> {
    let account = store.accounts().create("Acme Support").await?;
    let admin_membership = Some((account.id, Role::Administrator));
    let admin = store
        .users()
        .create("Alex Morgan", admin_email, admin_password, admin_membership)
        .await?;
    let mut agents = Vec::new();
    let mut agent_logins = Vec::new();
    for (name, email) in AGENTS {
        let password = domain::password::random_token(16);
        let user = store
            .users()
            .create(name, email, &password, Some((account.id, Role::Agent)))
            .await?;
        agent_logins.push((user.email.clone(), password));
        agents.push(user);
    }
    // The demo's "Website" inbox is a live-chat widget inbox (its page is the demo app's
    // `/widget-demo`), so its conversations carry the visitor fields a real widget fills.
    let mut website = NewInbox::validate(account.id, Some("Website"), None)?;
    website.web_widget = Some(domain::WebWidget::create(
        &domain::WebWidgetChanges::validate(domain::web_widget::WebWidgetFields {
            website_url: Some("https://shop.example.com"),
            welcome_title: Some("Hi there! 👋"),
            welcome_tagline: Some("We usually answer within minutes. Ask us anything."),
            ..Default::default()
        })?,
    )?);
    let inbox = store.inboxes().create(&website).await?;
    // Every demo agent belongs to the demo inbox, so inbox access rules change nothing visible.
    let agent_ids: Vec<_> = agents.iter().map(|a| a.id).collect();
    store
        .inbox_members()
        .add(account.id, inbox.id, &agent_ids)
        .await?;
    // A support team of both agents, for the team picker.
    let team = store
        .teams()
        .create(&domain::NewTeam::validate(
            account.id,
            Some("Support"),
            Some("First-line support"),
            None,
        )?)
        .await?;
    store
        .teams()
        .add_members(account.id, team.id, &agent_ids)
        .await?;
    for (title, description, color) in LABELS {
        let label = NewLabel::validate(
            account.id,
            Some(title),
            Some(description),
            Some(color),
            None,
        )?;
        store.labels().create(&label).await?;
    }
    if let Some(url) = demo_app_url {
        let content = json!([{"type": "frame", "url": url}]);
        // The demo app shows what apps can do, so every action is allowed; it sits in the panel
        // beside the conversation, and its backend verifies its EdDSA tokens through the JWKS.
        let control = ControlChanges {
            allowed_actions: Some(AppAction::ALL.to_vec()),
            token_algorithm: Some(domain::context_token::TokenAlgorithm::EdDsa),
            placements: Some(vec![domain::app_placement::Placement::ConversationPanel]),
            // It reads the shop's loyalty API through the request proxy with a secret key
            // (`web::demo_app::loyalty`), served on the same loopback address as its page.
            settings_schema: Some(demo_app_settings()),
            request_hosts: Some(vec!["127.0.0.1".to_owned()]),
            ..ControlChanges::default()
        };
        let app = NewDashboardApp::validate(
            account.id,
            Some("Customer orders"),
            Some(&content),
            control,
        )?;
        store.dashboard_apps().create(&app).await?;
    }

    let mut contacts = Vec::new();
    for (i, (name, email, phone, company, plan, city)) in CONTACTS.iter().enumerate() {
        let fields = ContactFields {
            name: Some(name),
            email: Some(email),
            phone_number: Some(phone),
            identifier: Some(&format!("cust_{}", 8800 + i * 7)),
            additional_attributes: Some(json!({
                "company_name": company,
                "city": city,
                "description": format!("{plan} customer since {}", 2019 + i % 6),
                "social_profiles": {"github": "", "twitter": "", "facebook": "", "linkedin": ""}
            })),
            custom_attributes: Some(json!({
                "plan": plan,
                "orders_count": 3 + (i * 5) % 40,
                "lifetime_value": 120 + (i * 379) % 4800
            })),
        };
        let new = NewContact::validate(account.id, fields, Some(inbox.id))?;
        contacts.push(store.contacts().create(&new).await?.contact);
    }

    let statuses = [
        Status::Open,
        Status::Open,
        Status::Pending,
        Status::Open,
        Status::Resolved,
        Status::Snoozed,
    ];
    let people: Vec<&User> = std::iter::once(&admin).chain(agents.iter()).collect();
    for n in 0..30usize {
        let contact = &contacts[n % contacts.len()];
        let (labels, lines) = THREADS[n % THREADS.len()];
        let agent = people[n % people.len()];
        let assignee = (n % 4 != 3).then_some(agent.id);
        let first = NewMessage::validate(
            Some(lines[0]),
            Some("incoming"),
            None,
            None,
            Author::Contact(contact.id),
        )?;
        let new = NewConversation {
            account_id: account.id,
            inbox_id: inbox.id,
            contact_id: contact.id,
            source_id: None,
            status: Status::Open,
            assignee_id: assignee,
            custom_attributes: Default::default(),
            additional_attributes: json!({"referer": "https://shop.acme.example/orders", "browser": {"browser_name": "Chrome", "platform_name": "macOS"}})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            first_message: Some(first),
        };
        let view = store.conversations().create(&new).await?.value;
        for line in &lines[1..] {
            let message = if let Some(text) = line.strip_prefix("> ") {
                NewMessage::validate(
                    Some(text),
                    Some("outgoing"),
                    None,
                    None,
                    Author::User(agent.id),
                )?
            } else if let Some(text) = line.strip_prefix("# ") {
                NewMessage::validate(
                    Some(text),
                    Some("outgoing"),
                    Some(true),
                    None,
                    Author::User(agent.id),
                )?
            } else {
                NewMessage::validate(
                    Some(line),
                    Some("incoming"),
                    None,
                    None,
                    Author::Contact(contact.id),
                )?
            };
            store.messages().create(&view, &message).await?;
        }
        let labels: Vec<String> = labels.iter().map(|l| l.to_string()).collect();
        let view = store
            .conversations()
            .set_labels(&view, &labels, None)
            .await?
            .value;
        let status = statuses[n % statuses.len()];
        if status != Status::Open {
            let snoozed_until = (status == Status::Snoozed).then(|| domain::time::now() + 86_400);
            let change = domain::conversation::StatusChange {
                status,
                snoozed_until,
            };
            store
                .conversations()
                .set_status(&view, change, agent)
                .await?;
        }
        // Spread the history over the past days, newest first, a few minutes between messages.
        age_conversation(store, view.conversation.id, (n as i64) * 2_900 + 600).await?;
    }
    Ok(Demo {
        account,
        admin,
        agents,
        agent_logins,
        inbox_id: inbox.id,
    })
}

const AGE_MESSAGES: &str = "UPDATE messages SET created_at = created_at - $1 - (($2 - id) * 180) \
     WHERE conversation_id = $3";
const LAST_MESSAGE: &str = "SELECT COALESCE(MAX(id), 0) FROM messages WHERE conversation_id = $1";
const AGE_CONVERSATION: &str = "UPDATE conversations SET created_at = created_at - $1 - 3600, \
     last_activity_at = last_activity_at - $1, agent_last_seen_at = CASE WHEN status = 'resolved' \
     THEN last_activity_at ELSE 0 END WHERE id = $2";

async fn age_conversation(
    store: &Store,
    id: domain::ConversationId,
    seconds: i64,
) -> Result<(), StoreError> {
    on_pool!(store, |pool| {
        let last: i64 = sqlx::query_scalar(LAST_MESSAGE)
            .bind(id.get())
            .fetch_one(pool)
            .await?;
        sqlx::query(AGE_MESSAGES)
            .bind(seconds)
            .bind(last)
            .bind(id.get())
            .execute(pool)
            .await?;
        sqlx::query(AGE_CONVERSATION)
            .bind(seconds)
            .bind(id.get())
            .execute(pool)
            .await
            .map(|_| ())
    })?;
    Ok(())
}

/// Rows per multi-row INSERT in the bulk seed (well under SQLite's 32k bound parameters).
const BATCH: usize = 400;
const BUMP_SEQ: &str =
    "UPDATE accounts SET conversation_seq = conversation_seq + $1 WHERE id = $2 \
     RETURNING conversation_seq";
const MAX_CONTACT: &str = "SELECT COALESCE(MAX(id), 0) FROM contacts";
const MAX_CONVERSATION: &str = "SELECT COALESCE(MAX(id), 0) FROM conversations";

/// Adds `count` conversations (with `messages_each` messages, contacts one per five
/// conversations) to the account, across its inboxes, statuses, agents and labels, in batched
/// multi-row inserts. Returns how many conversations now exist in the account.
pub async fn bulk(
    store: &Store,
    account_id: AccountId,
    count: usize,
    messages_each: usize,
) -> Result<i64, StoreError> {
    let inboxes = store.inboxes().list(account_id).await?;
    let agents = store.users().agents(account_id).await?;
    let labels: Vec<String> = store
        .labels()
        .list(account_id)
        .await?
        .into_iter()
        .map(|l| l.title)
        .collect();
    let Some(first_inbox) = inboxes.first() else {
        return Err(domain::DomainError::invalid(
            "inbox_id",
            "The account has no inbox to seed into",
        )
        .into());
    };
    let now = domain::time::now();
    let statuses = [
        "open", "open", "open", "pending", "resolved", "resolved", "snoozed",
    ];
    let mut done = 0usize;
    while done < count {
        let n = BATCH.min(count - done);
        let contacts = n.div_ceil(5);
        on_writer!(store, |pool| {
            let mut tx = pool.begin().await?;
            let first_contact: i64 = sqlx::query_scalar(MAX_CONTACT).fetch_one(&mut *tx).await?;
            let mut qb = QueryBuilder::new(
                "INSERT INTO contacts (account_id, name, email, phone_number, additional_attributes_json, \
                 custom_attributes_json, last_activity_at, created_at) ",
            );
            qb.push_values(0..contacts, |mut row, i| {
                let k = first_contact as usize + i + 1;
                let (first, last) = (
                    FIRST_NAMES[k % FIRST_NAMES.len()],
                    LAST_NAMES[(k / 7) % LAST_NAMES.len()],
                );
                row.push_bind(account_id.get())
                    .push_bind(format!("{first} {last}"))
                    .push_bind(format!(
                        "{}.{}.{k}@customers.example",
                        first.to_lowercase(),
                        last.to_lowercase()
                    ))
                    .push_bind(format!("+1415{:07}", k % 10_000_000))
                    .push_bind(format!(
                        r#"{{"company_name":"{} {}"}}"#,
                        last,
                        COMPANIES[k % COMPANIES.len()]
                    ))
                    .push_bind(format!(
                        r#"{{"plan":"{}"}}"#,
                        ["starter", "pro", "enterprise"][k % 3]
                    ))
                    .push_bind(now - (k as i64 % 86_400))
                    .push_bind(now - 86_400 * 30);
            });
            qb.build().execute(&mut *tx).await?;
            let seq_end: i64 = sqlx::query_scalar(BUMP_SEQ)
                .bind(n as i64)
                .bind(account_id.get())
                .fetch_one(&mut *tx)
                .await?;
            let first_display = seq_end - n as i64 + 1;
            let first_conversation: i64 = sqlx::query_scalar(MAX_CONVERSATION)
                .fetch_one(&mut *tx)
                .await?;
            let mut qb = QueryBuilder::new(
                "INSERT INTO conversations (account_id, display_id, inbox_id, contact_id, uuid, status, \
                 assignee_id, labels_json, last_activity_at, created_at) ",
            );
            qb.push_values(0..n, |mut row, i| {
                let d = first_display + i as i64;
                let inbox = &inboxes[(d as usize) % inboxes.len()];
                let assignee = (d % 3 != 0 && !agents.is_empty())
                    .then(|| agents[(d as usize) % agents.len()].user.id.get());
                let label = (!labels.is_empty() && d % 2 == 0)
                    .then(|| labels[(d as usize / 2) % labels.len()].clone());
                let labels_json = label.map_or("[]".to_owned(), |l| format!(r#"["{l}"]"#));
                row.push_bind(account_id.get())
                    .push_bind(d)
                    .push_bind(inbox.id.get())
                    .push_bind(first_contact + 1 + (i / 5) as i64)
                    .push_bind(format!("bulk-{}-{d}", account_id.get()))
                    .push_bind(statuses[(d as usize) % statuses.len()])
                    .push_bind(assignee)
                    .push_bind(labels_json)
                    .push_bind(now - (count as i64 - d).max(0) * 7)
                    .push_bind(now - 86_400 * 7);
            });
            qb.build().execute(&mut *tx).await?;
            if !labels.is_empty() {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO conversation_labels (conversation_id, account_id, title) ",
                );
                let labelled: Vec<(i64, String)> = (0..n)
                    .filter_map(|i| {
                        let d = first_display + i as i64;
                        (d % 2 == 0).then(|| {
                            (
                                first_conversation + 1 + i as i64,
                                labels[(d as usize / 2) % labels.len()].clone(),
                            )
                        })
                    })
                    .collect();
                if !labelled.is_empty() {
                    qb.push_values(labelled, |mut row, (id, title)| {
                        row.push_bind(id)
                            .push_bind(account_id.get())
                            .push_bind(title);
                    });
                    qb.build().execute(&mut *tx).await?;
                }
            }
            let messages: Vec<(i64, usize)> = (0..n)
                .flat_map(|i| {
                    (0..messages_each).map(move |m| (first_conversation + 1 + i as i64, m))
                })
                .collect();
            for chunk in messages.chunks(BATCH) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO messages (account_id, inbox_id, conversation_id, message_type, content, \
                     private, sender_type, sender_id, created_at) ",
                );
                qb.push_values(chunk, |mut row, (conversation, m)| {
                    let incoming = m % 2 == 0;
                    let text = LINES[(*conversation as usize + m) % LINES.len()];
                    row.push_bind(account_id.get())
                        .push_bind(first_inbox.id.get())
                        .push_bind(*conversation)
                        .push_bind(if incoming { 0i64 } else { 1 })
                        .push_bind(text)
                        .push_bind(false)
                        .push_bind(if incoming { None } else { Some("user") })
                        .push_bind(if incoming {
                            None
                        } else {
                            agents.first().map(|a| a.user.id.get())
                        })
                        .push_bind(now - 3_600 + *m as i64 * 60);
                });
                qb.build().execute(&mut *tx).await?;
            }
            tx.commit().await
        })?;
        done += n;
    }
    // The bulk rows share one inbox for messages; fix messages to their conversation's inbox.
    on_pool!(store, |pool| {
        sqlx::query(
        "UPDATE messages SET inbox_id = (SELECT inbox_id FROM conversations c WHERE c.id = messages.conversation_id) \
         WHERE account_id = $1 AND inbox_id <> (SELECT inbox_id FROM conversations c WHERE c.id = messages.conversation_id)"
    )
    .bind(account_id.get())
    .execute(pool)
    .await
    .map(|_| ())
    })?;
    let mut filter = ConversationFilter::new(account_id, domain::UserId(0), domain::Scope::All);
    filter.status = None;
    Ok(store.conversations().counts(&filter).await?.all)
}

const FIRST_NAMES: [&str; 12] = [
    "Ana", "Ben", "Chen", "Dara", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jia", "Kai", "Lena",
];
const LAST_NAMES: [&str; 10] = [
    "Adams", "Baker", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen",
];
const COMPANIES: [&str; 6] = [
    "Foods",
    "Labs",
    "Outfitters",
    "Logistics",
    "Studio",
    "Health",
];
const LINES: [&str; 8] = [
    "Hi, I have a question about my last invoice.",
    "Thanks for reaching out! Let me take a look.",
    "My package tracking hasn't updated in three days.",
    "I've escalated this to our shipping partner.",
    "Can I change the plan for my team?",
    "Yes, you can switch plans anytime from Settings > Billing.",
    "The app crashes when I upload a photo.",
    "Sorry about that! Which version of the app are you on?",
];
