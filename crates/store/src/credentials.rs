//! What a user signs in with: API tokens, sessions (a page's cookie or an API client's
//! `POST /auth/sign_in`) and the password. Tokens and session ids are high-entropy random
//! secrets kept only as their SHA-256 (`password::digest`): a request's secret is digested and
//! looked up, and a copy of the database lets nobody act as anyone.

use crate::error::found;
use crate::users::UserRow;
use crate::{on_pool, on_writer, Store, StoreError, Users};
use domain::{password, DomainError, Role, User, UserId};

/// A user's API token and the API sessions `POST /auth/sign_in` opened: either authenticates
/// the `api_access_token` header.
const TOKEN_OWNER: &str = "SELECT user_id FROM access_tokens WHERE token = $1 \
     UNION ALL SELECT user_id FROM sessions WHERE id = $1 AND api = TRUE AND expires_at > $2";
const SELECT_BY_TOKEN: &str = "SELECT u.id, u.name, u.display_name, u.email, u.pubsub_token \
     FROM users u WHERE u.id IN (SELECT user_id FROM access_tokens WHERE token = $1 \
     UNION ALL SELECT user_id FROM sessions WHERE id = $1 AND api = TRUE AND expires_at > $2)";
const SELECT_MEMBER_BY_TOKEN: &str =
    "SELECT u.id, u.name, u.display_name, u.email, u.pubsub_token, au.role FROM users u \
     LEFT JOIN account_users au ON au.user_id = u.id AND au.account_id = $3 \
     WHERE u.id IN (SELECT user_id FROM access_tokens WHERE token = $1 \
     UNION ALL SELECT user_id FROM sessions WHERE id = $1 AND api = TRUE AND expires_at > $2)";
const UPDATE_TOKEN: &str =
    "UPDATE access_tokens SET token = $1, hashed = TRUE, created_at = $2 WHERE user_id = $3";
pub(crate) const INSERT_TOKEN: &str =
    "INSERT INTO access_tokens (token, user_id, created_at, hashed) VALUES ($1, $2, $3, TRUE)";
const INSERT_SESSION: &str =
    "INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, api, hashed) \
     VALUES ($1, $2, $3, $4, $5, $6, TRUE)";
const SELECT_SESSION: &str = "SELECT u.id, u.name, u.display_name, u.email, u.pubsub_token, \
     s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id \
     WHERE s.id = $1 AND s.api = FALSE AND s.expires_at > $2";
const DELETE_SESSION: &str = "DELETE FROM sessions WHERE id = $1 AND api = $2";
const DELETE_OTHER_SESSIONS: &str = "DELETE FROM sessions WHERE user_id = $1 AND id <> $2";
const SELECT_PASSWORD: &str = "SELECT password_hash FROM users WHERE id = $1";
const UPDATE_PASSWORD: &str = "UPDATE users SET password_hash = $1 WHERE id = $2";
const UPDATE_PROFILE_NAME: &str = "UPDATE users SET name = $1 WHERE id = $2";
const UPDATE_DISPLAY_NAME: &str = "UPDATE users SET display_name = $1 WHERE id = $2";
const PLAINTEXT_TOKENS: &str = "SELECT token FROM access_tokens WHERE hashed = FALSE";
const HASH_TOKEN: &str =
    "UPDATE access_tokens SET token = $1, hashed = TRUE WHERE token = $2 AND hashed = FALSE";
const PLAINTEXT_SESSIONS: &str = "SELECT id FROM sessions WHERE hashed = FALSE";
const HASH_SESSION: &str =
    "UPDATE sessions SET id = $1, hashed = TRUE WHERE id = $2 AND hashed = FALSE";

/// Sessions last two weeks, a page's and an API client's alike.
const SESSION_SECONDS: i64 = 14 * 24 * 3600;

#[derive(sqlx::FromRow)]
struct TokenMemberRow {
    #[sqlx(flatten)]
    user: UserRow,
    role: Option<String>,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: UserRow,
    csrf_token: String,
}

/// A signed-in browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The secret the cookie holds (the database has only its digest).
    pub id: String,
    pub user: User,
    /// Sent back in `X-CSRF-Token` by the page's scripts on every cookie-authenticated write.
    pub csrf_token: String,
}

/// `PUT /api/v1/profile`'s password fields (Chatwoot's `password_params`).
#[derive(Debug, Clone, Copy)]
pub struct PasswordChange<'a> {
    pub current_password: Option<&'a str>,
    pub password: &'a str,
    pub password_confirmation: Option<&'a str>,
}

/// What a user changes of their own profile; `None` leaves it.
#[derive(Debug, Clone, Default)]
pub struct ProfileChanges {
    pub name: Option<String>,
    /// `Some(None)` clears it.
    pub display_name: Option<Option<String>>,
}

impl Users<'_> {
    /// A new API token for the user, replacing the old one at once; the only time the token
    /// is seen (`POST /api/v1/profile/reset_access_token`, the profile page).
    pub async fn reset_access_token(&self, id: UserId) -> Result<String, StoreError> {
        let token = password::random_token(24);
        let digest = password::digest(&token);
        let now = domain::time::now();
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let updated = sqlx::query(UPDATE_TOKEN)
                .bind(&digest)
                .bind(now)
                .bind(id.get())
                .execute(&mut *tx)
                .await?;
            if updated.rows_affected() == 0 {
                sqlx::query(INSERT_TOKEN)
                    .bind(&digest)
                    .bind(id.get())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })?;
        Ok(token)
    }

    /// The user an `api_access_token` names: their API token or an API session's secret.
    pub async fn by_access_token(&self, token: &str) -> Result<User, StoreError> {
        let row: Option<UserRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_BY_TOKEN)
            .bind(password::digest(token))
            .bind(domain::time::now())
            .fetch_optional(pool)
            .await)?;
        found(row).map(User::from)
    }

    /// The user an API token names and their role in `account_id` (`None`: not a member), in
    /// one query: every API request asks both (`NotFound`: no such token).
    pub async fn by_access_token_in(
        &self,
        token: &str,
        account_id: domain::AccountId,
    ) -> Result<(User, Option<Role>), StoreError> {
        let row: Option<TokenMemberRow> =
            on_pool!(self.store, |pool| sqlx::query_as(SELECT_MEMBER_BY_TOKEN)
                .bind(password::digest(token))
                .bind(domain::time::now())
                .bind(account_id.get())
                .fetch_optional(pool)
                .await)?;
        let row = found(row)?;
        let role = row
            .role
            .map(|role| Role::parse(&role).unwrap_or(Role::Agent));
        Ok((User::from(row.user), role))
    }

    /// Whether `token` is still good for anything (tests of revocation use it).
    pub async fn token_is_live(&self, token: &str) -> Result<bool, StoreError> {
        let owner: Option<i64> = on_pool!(self.store, |pool| sqlx::query_scalar(TOKEN_OWNER)
            .bind(password::digest(token))
            .bind(domain::time::now())
            .fetch_optional(pool)
            .await)?;
        Ok(owner.is_some())
    }

    /// A page's session: its id goes in the cookie.
    pub async fn create_session(&self, user: &User) -> Result<Session, StoreError> {
        let id = self.open_session(user, false).await?;
        Ok(Session {
            id: id.0,
            user: user.clone(),
            csrf_token: id.1,
        })
    }

    /// An API client's session (`POST /auth/sign_in`): its secret is the `access_token` the
    /// client sends back in `api_access_token`, until `DELETE /auth/sign_out` ends it.
    pub async fn create_api_session(&self, user: &User) -> Result<String, StoreError> {
        Ok(self.open_session(user, true).await?.0)
    }

    async fn open_session(&self, user: &User, api: bool) -> Result<(String, String), StoreError> {
        let id = password::random_token(32);
        let csrf_token = password::random_token(32);
        let now = domain::time::now();
        on_pool!(self.store, |pool| sqlx::query(INSERT_SESSION)
            .bind(password::digest(&id))
            .bind(user.id.get())
            .bind(&csrf_token)
            .bind(now)
            .bind(now + SESSION_SECONDS)
            .bind(api)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok((id, csrf_token))
    }

    /// The live page session whose cookie holds `id`.
    pub async fn session(&self, id: &str) -> Result<Session, StoreError> {
        let now = domain::time::now();
        let row: Option<SessionRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_SESSION)
            .bind(password::digest(id))
            .bind(now)
            .fetch_optional(pool)
            .await)?;
        let row = found(row)?;
        Ok(Session {
            id: id.to_owned(),
            user: row.user.into(),
            csrf_token: row.csrf_token,
        })
    }

    /// Ends the page session whose cookie holds `id`.
    pub async fn delete_session(&self, id: &str) -> Result<(), StoreError> {
        self.end_session(id, false).await
    }

    /// Ends the API session whose secret is `token`; a user's API token is no session and
    /// stays valid (as Chatwoot's `api_access_token` outlives devise_token_auth's sign-out).
    pub async fn delete_api_session(&self, token: &str) -> Result<(), StoreError> {
        self.end_session(token, true).await
    }

    async fn end_session(&self, secret: &str, api: bool) -> Result<(), StoreError> {
        on_pool!(self.store, |pool| sqlx::query(DELETE_SESSION)
            .bind(password::digest(secret))
            .bind(api)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Changes the user's password after checking the current one, and ends every session of
    /// theirs but `keep` (the secret of the session the change was made in, if any): whoever
    /// else was signed in with the old password is signed out. The user's API token stays
    /// (rotated apart, as in Chatwoot). Errors name `current_password`, `password_confirmation`
    /// or `password`.
    pub async fn change_password(
        &self,
        user: &User,
        change: PasswordChange<'_>,
        keep: Option<&str>,
    ) -> Result<(), StoreError> {
        let hash: Option<String> =
            on_pool!(self.store, |pool| sqlx::query_scalar(SELECT_PASSWORD)
                .bind(user.id.get())
                .fetch_optional(pool)
                .await)?;
        let hash = found(hash)?;
        let current = change.current_password.unwrap_or_default();
        if !password::verify(current, &hash) {
            return Err(
                DomainError::invalid("current_password", "Invalid current password").into(),
            );
        }
        if change
            .password_confirmation
            .is_some_and(|confirmation| confirmation != change.password)
        {
            return Err(DomainError::invalid(
                "password_confirmation",
                "Password confirmation doesn't match Password",
            )
            .into());
        }
        password::require_strong(change.password, &[&user.name, &user.email])?;
        let new_hash = password::hash(change.password);
        let keep = keep.map(password::digest).unwrap_or_default();
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(UPDATE_PASSWORD)
                .bind(&new_hash)
                .bind(user.id.get())
                .execute(&mut *tx)
                .await?;
            sqlx::query(DELETE_OTHER_SESSIONS)
                .bind(user.id.get())
                .bind(&keep)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        })?;
        Ok(())
    }

    /// The user's own name and display name: nobody else changes them (an administrator
    /// changes a member's role and availability in their account only).
    pub async fn update_profile(
        &self,
        id: UserId,
        changes: &ProfileChanges,
    ) -> Result<User, StoreError> {
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            if let Some(name) = &changes.name {
                sqlx::query(UPDATE_PROFILE_NAME)
                    .bind(name)
                    .bind(id.get())
                    .execute(&mut *tx)
                    .await?;
            }
            if let Some(display_name) = &changes.display_name {
                sqlx::query(UPDATE_DISPLAY_NAME)
                    .bind(display_name)
                    .bind(id.get())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })?;
        // The list's rows carry assignees' names, in every account of the user; renames are rare.
        self.store.pages.forget_all();
        self.find(id).await
    }
}

/// Replaces every token and session id still kept in plaintext (rows from before migration
/// 0011 added `hashed`) by its digest. SQLite has no SHA-256 in SQL, so this runs from
/// `Store::migrate` on both backends, after the schema migrations; it is idempotent, and a
/// row another instance hashed meanwhile is skipped (`hashed = FALSE` in the update).
pub(crate) async fn hash_plaintext_secrets(store: &Store) -> Result<(), StoreError> {
    for (select, update) in [
        (PLAINTEXT_TOKENS, HASH_TOKEN),
        (PLAINTEXT_SESSIONS, HASH_SESSION),
    ] {
        on_writer!(store, |pool| {
            let mut tx = pool.begin().await?;
            let secrets: Vec<String> = sqlx::query_scalar(select).fetch_all(&mut *tx).await?;
            for secret in &secrets {
                sqlx::query(update)
                    .bind(password::digest(secret))
                    .bind(secret)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAINTEXT_TOKEN: &str = "plaintextTokenFromBefore0011";
    const PLAINTEXT_SESSION: &str = "plaintextSessionFromBefore0011";

    /// Rows written before 0011 held the secrets themselves; after `migrate` they hold the
    /// digests, and the secrets their users hold keep working.
    async fn plaintext_rows_are_digested_by_migrate(store: Store) {
        let user = store
            .users()
            .create("Old Timer", "old@acme.test", "correct-horse-battery", None)
            .await
            .unwrap();
        let now = domain::time::now();
        on_pool!(store, |pool| {
            sqlx::query("UPDATE access_tokens SET token = $1, hashed = FALSE WHERE user_id = $2")
                .bind(PLAINTEXT_TOKEN)
                .bind(user.id.get())
                .execute(pool)
                .await
                .unwrap();
            sqlx::query(
                "INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at) \
                 VALUES ($1, $2, 'csrf', $3, $4)",
            )
            .bind(PLAINTEXT_SESSION)
            .bind(user.id.get())
            .bind(now)
            .bind(now + 60)
            .execute(pool)
            .await
            .unwrap();
        });
        store.migrate().await.unwrap();
        let stored: Vec<String> = on_pool!(store, |pool| sqlx::query_scalar(
            "SELECT token FROM access_tokens WHERE hashed = TRUE \
             UNION ALL SELECT id FROM sessions WHERE hashed = TRUE"
        )
        .fetch_all(pool)
        .await
        .unwrap());
        assert!(
            stored.contains(&password::digest(PLAINTEXT_TOKEN)),
            "{stored:?}"
        );
        assert!(
            stored.contains(&password::digest(PLAINTEXT_SESSION)),
            "{stored:?}"
        );
        assert!(!stored
            .iter()
            .any(|s| s == PLAINTEXT_TOKEN || s == PLAINTEXT_SESSION));
        let users = store.users();
        assert_eq!(
            users.by_access_token(PLAINTEXT_TOKEN).await.unwrap().id,
            user.id
        );
        assert_eq!(
            users.session(PLAINTEXT_SESSION).await.unwrap().user.id,
            user.id
        );
        // Idempotent: a second run digests nothing twice.
        store.migrate().await.unwrap();
        assert_eq!(
            users.by_access_token(PLAINTEXT_TOKEN).await.unwrap().id,
            user.id
        );
        // What is issued now is stored as its digest from the start.
        let token = users.reset_access_token(user.id).await.unwrap();
        let session = users.create_session(&user).await.unwrap().id;
        let api = users.create_api_session(&user).await.unwrap();
        let stored: Vec<String> = on_pool!(store, |pool| sqlx::query_scalar(
            "SELECT token FROM access_tokens UNION ALL SELECT id FROM sessions"
        )
        .fetch_all(pool)
        .await
        .unwrap());
        for secret in [&token, &session, &api] {
            assert!(
                !stored.contains(secret),
                "{secret} in plaintext: {stored:?}"
            );
            assert!(stored.contains(&password::digest(secret)), "{stored:?}");
        }
    }

    #[tokio::test]
    async fn secrets_are_kept_as_digests_on_sqlite_and_postgres() {
        plaintext_rows_are_digested_by_migrate(Store::sqlite_in_temp_dir().await.unwrap()).await;
        match std::env::var("TEST_DATABASE_URL") {
            Ok(url) => {
                let store = Store::postgres_fresh_schema(&url).await.unwrap();
                plaintext_rows_are_digested_by_migrate(store).await;
            }
            Err(_) if std::env::var_os("REQUIRE_POSTGRES").is_some() => {
                panic!("REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not")
            }
            Err(_) => eprintln!("postgres: skipped, TEST_DATABASE_URL is not set"),
        }
    }
}
