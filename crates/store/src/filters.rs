//! The one place a validated filter (`domain::filter`) becomes SQL, for both backends: every
//! value is a bound parameter, every column and operator a fixed fragment chosen from the
//! domain's enums, never text from the request. Conversation lists (`Conversations::list`,
//! their counts and page seeks) and the contact filter all append their conditions here, and
//! so does the list's text search.

use crate::{Pool, Store};
use domain::filter::{Column, Field, Filter, Scalar, Search, Test};
use sqlx::{Database, Encode, QueryBuilder, Type};

/// Which SQL dialect a query is written for: portable SQL serves everything but reading a key
/// of a JSON text column, which SQLite spells `json_extract` and PostgreSQL `::jsonb ->>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Store {
    pub(crate) fn dialect(&self) -> Dialect {
        match self.pool {
            Pool::Sqlite(_) => Dialect::Sqlite,
            Pool::Postgres(_) => Dialect::Postgres,
        }
    }
}

/// The row a filter reads: a conversation (aliased `c`) or a contact (table `contacts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    Conversations,
    Contacts,
}

impl Table {
    fn prefix(self) -> &'static str {
        match self {
            Table::Conversations => "c.",
            Table::Contacts => "contacts.",
        }
    }
}

/// Appends ` AND (c1 AND c2 OR c3 …)` for `filter`'s conditions (nothing when it has none).
/// Each condition is parenthesized; the joins keep SQL's precedence, as Chatwoot's do.
pub(crate) fn push_filter<'a, DB>(
    qb: &mut QueryBuilder<'a, DB>,
    filter: &'a Filter,
    table: Table,
    dialect: Dialect,
) where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
    String: Encode<'a, DB> + Type<DB>,
    &'a str: Encode<'a, DB> + Type<DB>,
{
    if filter.conditions.is_empty() {
        return;
    }
    qb.push(" AND (");
    let last = filter.conditions.len() - 1;
    for (index, condition) in filter.conditions.iter().enumerate() {
        qb.push("(");
        if condition.field == Field::Labels {
            push_labels(qb, &condition.test, table);
        } else {
            let expression = |qb: &mut QueryBuilder<'a, DB>| {
                push_expression(qb, &condition.field, table, dialect, condition.ignore_case)
            };
            push_test(qb, expression, &condition.test);
        }
        qb.push(")");
        if index < last {
            qb.push(condition.join.as_sql());
        }
    }
    qb.push(")");
}

/// Appends ` AND (…)`: a message's text, the contact's name, e-mail or phone number contains
/// the search, or it names the display id (Chatwoot's `filter_by_query` searches messages).
pub(crate) fn push_search<'a, DB>(qb: &mut QueryBuilder<'a, DB>, search: &'a Search)
where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
    &'a str: Encode<'a, DB> + Type<DB>,
{
    let pattern = search.pattern.as_str();
    // Incoming and outgoing messages (private notes are outgoing), not activity lines.
    qb.push(
        " AND (EXISTS (SELECT 1 FROM messages sm WHERE sm.conversation_id = c.id \
         AND sm.message_type IN (0, 1) AND LOWER(sm.content) LIKE ",
    )
    .push_bind(pattern)
    .push(
        " ESCAPE '\\') OR EXISTS (SELECT 1 FROM contacts sc WHERE sc.id = c.contact_id \
         AND (LOWER(sc.name) LIKE ",
    )
    .push_bind(pattern)
    .push(" ESCAPE '\\' OR LOWER(sc.email) LIKE ")
    .push_bind(pattern)
    .push(" ESCAPE '\\' OR LOWER(sc.phone_number) LIKE ")
    .push_bind(pattern)
    .push(" ESCAPE '\\'))");
    if let Some(display_id) = search.display_id {
        qb.push(" OR c.display_id = ").push_bind(display_id);
    }
    qb.push(")");
}

fn push_expression<'a, DB>(
    qb: &mut QueryBuilder<'a, DB>,
    field: &'a Field,
    table: Table,
    dialect: Dialect,
    ignore_case: bool,
) where
    DB: Database,
    String: Encode<'a, DB> + Type<DB>,
    &'a str: Encode<'a, DB> + Type<DB>,
{
    if ignore_case {
        qb.push("LOWER(");
    }
    match field {
        Field::Column(column) => {
            let name = match column {
                Column::Status => "status",
                Column::AssigneeId => "assignee_id",
                Column::InboxId => "inbox_id",
                Column::TeamId => "team_id",
                Column::Priority => "priority",
                Column::DisplayId => "display_id",
                Column::CreatedAt => "created_at",
                Column::LastActivityAt => "last_activity_at",
                Column::Name => "name",
                Column::Email => "email",
                Column::PhoneNumber => "phone_number",
                Column::Identifier => "identifier",
            };
            // Compared as text (`contains` looks for digits in a display id).
            if ignore_case {
                qb.push("CAST(")
                    .push(table.prefix())
                    .push(name)
                    .push(" AS TEXT)");
            } else {
                qb.push(table.prefix()).push(name);
            }
        }
        Field::Additional(key) => {
            let column = match table {
                Table::Conversations => "c.additional_attributes_json",
                Table::Contacts => "contacts.additional_attributes_json",
            };
            push_json_text(qb, column, key, dialect);
        }
        // Nobody is blocked (see `Field::Blocked`): false, as 0.
        Field::Blocked => {
            qb.push("0");
        }
        Field::Labels => unreachable!("labels are pushed by push_labels"),
    }
    if ignore_case {
        qb.push(")");
    }
}

/// The text of `key` in the JSON object stored in `column` (NULL when absent).
fn push_json_text<'a, DB>(
    qb: &mut QueryBuilder<'a, DB>,
    column: &'static str,
    key: &'a str,
    dialect: Dialect,
) where
    DB: Database,
    String: Encode<'a, DB> + Type<DB>,
    &'a str: Encode<'a, DB> + Type<DB>,
{
    match dialect {
        Dialect::Sqlite => {
            // Keys come from the domain's fixed list, so the quoted path needs no escaping.
            qb.push("CAST(json_extract(")
                .push(column)
                .push(", ")
                .push_bind(format!("$.\"{key}\""))
                .push(") AS TEXT)");
        }
        Dialect::Postgres => {
            qb.push("(CAST(")
                .push(column)
                .push(" AS jsonb) ->> ")
                .push_bind(key)
                .push(")");
        }
    }
}

fn push_test<'a, DB>(
    qb: &mut QueryBuilder<'a, DB>,
    expression: impl Fn(&mut QueryBuilder<'a, DB>),
    test: &'a Test,
) where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
    &'a str: Encode<'a, DB> + Type<DB>,
{
    match test {
        Test::In(values) | Test::NotIn(values) => {
            expression(qb);
            qb.push(if matches!(test, Test::In(_)) {
                " IN ("
            } else {
                " NOT IN ("
            });
            push_list(qb, values);
            qb.push(")");
        }
        Test::Like(patterns) | Test::NotLike(patterns) => {
            if matches!(test, Test::NotLike(_)) {
                qb.push("NOT ");
            }
            qb.push("(");
            for (index, pattern) in patterns.iter().enumerate() {
                if index > 0 {
                    qb.push(" OR ");
                }
                expression(qb);
                qb.push(" LIKE ")
                    .push_bind(pattern.as_str())
                    .push(" ESCAPE '\\'");
            }
            qb.push(")");
        }
        Test::Present => {
            expression(qb);
            qb.push(" IS NOT NULL");
        }
        Test::Absent => {
            expression(qb);
            qb.push(" IS NULL");
        }
        Test::AtLeast(bound) => {
            expression(qb);
            qb.push(" >= ").push_bind(*bound);
        }
        Test::Below(bound) => {
            expression(qb);
            qb.push(" < ").push_bind(*bound);
        }
    }
}

fn push_list<'a, DB>(qb: &mut QueryBuilder<'a, DB>, values: &'a [Scalar])
where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
    &'a str: Encode<'a, DB> + Type<DB>,
{
    for (index, value) in values.iter().enumerate() {
        if index > 0 {
            qb.push(", ");
        }
        match value {
            Scalar::Int(n) => qb.push_bind(*n),
            Scalar::Text(text) => qb.push_bind(text.as_str()),
        };
    }
}

/// Labels are rows of `conversation_labels` (or `contact_labels`): `equal_to` has any of them, `not_equal_to` none,
/// `is_present` any label at all, `is_not_present` none.
fn push_labels<'a, DB>(qb: &mut QueryBuilder<'a, DB>, test: &'a Test, table: Table)
where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
    &'a str: Encode<'a, DB> + Type<DB>,
{
    let rows = match table {
        Table::Conversations => {
            "EXISTS (SELECT 1 FROM conversation_labels fl WHERE fl.conversation_id = c.id"
        }
        Table::Contacts => {
            "EXISTS (SELECT 1 FROM contact_labels fl WHERE fl.contact_id = contacts.id"
        }
    };
    match test {
        Test::In(titles) | Test::NotIn(titles) => {
            if matches!(test, Test::NotIn(_)) {
                qb.push("NOT ");
            }
            qb.push(rows).push(" AND fl.title IN (");
            push_list(qb, titles);
            qb.push("))");
        }
        Test::Absent => {
            qb.push("NOT ").push(rows).push(")");
        }
        _ => {
            qb.push(rows).push(")");
        }
    }
}
