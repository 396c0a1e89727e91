//! The `switchboard` binary: reads the command line and environment, then serves, migrates or
//! seeds. Everything else lives in the workspace crates.
#![forbid(unsafe_code)]

use clap::{Args, Parser, Subcommand};
use store::Store;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "switchboard",
    version,
    about = "A self-hosted support workspace with Dashboard Apps"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API, the workspace and (unless --no-demo) the demo app (the default).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate(DatabaseArgs),
    /// Add bulk realistic data (for benchmarks) to the first account.
    Seed(SeedArgs),
    /// Manage accounts (tenants) of this installation.
    #[command(subcommand)]
    Accounts(AccountsCommand),
    /// Manage the Ed25519 keys that sign EdDSA context tokens (published at
    /// /.well-known/jwks.json).
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Add a key that signs from now on; the current key stays published until the last token
    /// it signed has expired, then is deleted.
    Rotate(RotateKeysArgs),
}

#[derive(Args)]
struct RotateKeysArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(flatten)]
    lifetime: TokenLifetimeArgs,
}

#[derive(Args, Clone)]
struct TokenLifetimeArgs {
    /// Seconds a dashboard-app context token is valid (10 to 86400); a key replaced by `keys
    /// rotate` stays published that long.
    #[arg(
        long,
        env = "SWITCHBOARD_APP_TOKEN_LIFETIME",
        default_value_t = domain::context_token::LIFETIME_SECONDS,
        value_parser = clap::value_parser!(i64).range(10..=86_400)
    )]
    app_token_lifetime: i64,
}

#[derive(Subcommand)]
enum AccountsCommand {
    /// Create an account with its first administrator. An operator's command, not an API: only
    /// whoever runs the installation may add tenants to it.
    Create(CreateAccountArgs),
}

#[derive(Args)]
struct CreateAccountArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The account's name.
    #[arg(long)]
    name: String,
    /// Its first administrator: a new user, or an existing one of this installation.
    #[arg(long)]
    admin_email: String,
    /// The administrator's name when the user is new.
    #[arg(long, default_value = "Administrator")]
    admin_name: String,
    /// A new administrator's password (random and printed when unset); short (under 8
    /// characters) and common passwords are refused.
    #[arg(long, env = "SWITCHBOARD_NEW_ADMIN_PASSWORD", hide_env_values = true)]
    admin_password: Option<String>,
}

#[derive(Args, Clone)]
struct DatabaseArgs {
    /// sqlite://path or postgres://…
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/switchboard.db"
    )]
    database_url: String,
}

#[derive(Args, Clone)]
struct ServeArgs {
    /// Where to listen; port 0 picks a free port.
    #[arg(long, env = "SWITCHBOARD_ADDR", default_value = "127.0.0.1:3000")]
    addr: String,
    #[command(flatten)]
    database: DatabaseArgs,
    /// Do not seed demo data nor serve the demo app.
    #[arg(long)]
    no_demo: bool,
    /// Where the demo dashboard app listens (its own origin).
    #[arg(
        long,
        env = "SWITCHBOARD_DEMO_APP_ADDR",
        default_value = "127.0.0.1:3001"
    )]
    demo_app_addr: String,
    #[arg(
        long,
        env = "SWITCHBOARD_ADMIN_EMAIL",
        default_value = "admin@example.com"
    )]
    admin_email: String,
    /// The first administrator's password on an empty database (random and printed when unset).
    #[arg(long, env = "SWITCHBOARD_ADMIN_PASSWORD", hide_env_values = true)]
    admin_password: Option<String>,
    /// Let webhooks and dashboard apps' proxied requests reach loopback and private addresses
    /// (receivers on your own network).
    #[arg(
        long,
        env = "SWITCHBOARD_EGRESS_ALLOW_PRIVATE",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    egress_allow_private: bool,
    /// Where users reach Switchboard (`https://support.example.com`): the issuer of app context
    /// tokens; https also makes session cookies `Secure` and sends HSTS. Default: `http://` and
    /// the listen address.
    #[arg(long, env = "SWITCHBOARD_PUBLIC_URL")]
    public_url: Option<String>,
    /// Switchboard sits behind one reverse proxy: believe the `X-Forwarded-For` and
    /// `X-Forwarded-Proto` it sets (off: anyone could send them).
    #[arg(
        long,
        env = "SWITCHBOARD_TRUST_PROXY",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    trust_proxy: bool,
    /// Where attachments are stored: `file:///absolute/dir` or `s3://bucket?endpoint=…&region=…`
    /// (credentials from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`). Default: a `files`
    /// folder beside the SQLite database (`data/files`).
    #[arg(long, env = "SWITCHBOARD_FILES_URL")]
    files_url: Option<String>,
    /// The largest file a message may carry, in bytes (Chatwoot's 40 MB by default).
    #[arg(long, env = "SWITCHBOARD_ATTACHMENT_MAX_BYTES", default_value_t = 40 * 1024 * 1024)]
    attachment_max_bytes: u64,
    #[command(flatten)]
    lifetime: TokenLifetimeArgs,
    /// Seals dashboard apps' secret settings: 32 random bytes, base64url (43 characters).
    /// Default: a key made on first start and kept in the data directory as `secret.key` (0600).
    #[arg(long, env = "SWITCHBOARD_SECRET_KEY", hide_env_values = true)]
    secret_key: Option<String>,
    /// Let dashboard apps' proxied requests use plain http (https only by default).
    #[arg(
        long,
        env = "SWITCHBOARD_APP_REQUESTS_ALLOW_HTTP",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    app_requests_allow_http: bool,
    /// Seconds a webhook delivery claimed by an instance is held before another may send it:
    /// how late a delivery comes when the instance sending it died (11 to 3600, above the
    /// 10 s request timeout).
    #[arg(
        long,
        env = "SWITCHBOARD_WEBHOOK_LEASE",
        default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(11..=3_600)
    )]
    webhook_lease: u64,
}

#[derive(Args)]
struct SeedArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// How many conversations to add.
    #[arg(long, default_value_t = 1000)]
    conversations: usize,
    /// Messages in each conversation.
    #[arg(long, default_value_t = 10)]
    messages_per_conversation: usize,
    #[arg(
        long,
        env = "SWITCHBOARD_ADMIN_EMAIL",
        default_value = "admin@example.com"
    )]
    admin_email: String,
    /// The administrator's password when the demo account is created (random and printed when
    /// unset); lets scripts such as the benchmark harness sign in.
    #[arg(long, env = "SWITCHBOARD_ADMIN_PASSWORD", hide_env_values = true)]
    admin_password: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("warn,switchboard=info")),
        )
        .init();
    let cli = Cli::parse();
    match cli.command {
        None => serve(cli.serve).await,
        Some(Command::Serve(args)) => serve(args).await,
        Some(Command::Migrate(args)) => {
            Store::connect(&args.database_url).await?.migrate().await?;
            println!("Migrations applied to {}", redact(&args.database_url));
            Ok(())
        }
        Some(Command::Seed(args)) => seed(args).await,
        Some(Command::Accounts(AccountsCommand::Create(args))) => create_account(args).await,
        Some(Command::Keys(KeysCommand::Rotate(args))) => rotate_keys(args).await,
    }
}

async fn rotate_keys(args: RotateKeysArgs) -> anyhow::Result<()> {
    let store = Store::connect(&args.database.database_url).await?;
    store.migrate().await?;
    let lifetime = args.lifetime.app_token_lifetime;
    let key = store.signing_keys().rotate(lifetime).await?;
    println!(
        "Key {} signs from now on; keys it replaces stay published for {lifetime} seconds",
        key.kid
    );
    Ok(())
}

async fn create_account(args: CreateAccountArgs) -> anyhow::Result<()> {
    let store = Store::connect(&args.database.database_url).await?;
    store.migrate().await?;
    let name =
        domain::validate::required("name", Some(&args.name), domain::validate::MAX_SHORT_TEXT)?;
    if let Some(given) = &args.admin_password {
        // Refused before the account exists, also when the e-mail is an existing user's.
        domain::password::require_strong(given, &[&args.admin_name, &args.admin_email])?;
    }
    let password = args
        .admin_password
        .clone()
        .unwrap_or_else(|| domain::password::random_token(16));
    let created = store
        .accounts()
        .create_with_admin(&name, &args.admin_name, &args.admin_email, &password)
        .await?;
    println!(
        "Created account {} ({})",
        created.account.id, created.account.name
    );
    match (created.new_user, args.admin_password.is_some()) {
        (false, _) => println!(
            "{} (an existing user) is its administrator",
            created.admin.user.email
        ),
        (true, true) => println!(
            "Its administrator {} signs in with the password given",
            created.admin.user.email
        ),
        (true, false) => println!(
            "Its administrator {} signs in with password {password}",
            created.admin.user.email
        ),
    }
    Ok(())
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    web::serve(web::ServeConfig {
        addr: args.addr,
        database_url: args.database.database_url,
        demo: !args.no_demo,
        demo_app_addr: args.demo_app_addr,
        admin_email: args.admin_email,
        admin_password: args.admin_password,
        egress_allow_private: args.egress_allow_private,
        public_url: args.public_url,
        trust_proxy: args.trust_proxy,
        files_url: args.files_url,
        attachment_max_bytes: args.attachment_max_bytes,
        app_token_lifetime: args.lifetime.app_token_lifetime,
        secret_key: args.secret_key,
        app_requests_allow_http: args.app_requests_allow_http,
        webhook_lease: std::time::Duration::from_secs(args.webhook_lease),
    })
    .await
}

async fn seed(args: SeedArgs) -> anyhow::Result<()> {
    let store = Store::connect(&args.database.database_url).await?;
    store.migrate().await?;
    if store.accounts().is_empty().await? {
        let password = args
            .admin_password
            .clone()
            .unwrap_or_else(|| domain::password::random_token(16));
        let demo = store::seed::demo(&store, &args.admin_email, &password, None).await?;
        if args.admin_password.is_some() {
            println!("Seeded the demo account; sign in as {}", args.admin_email);
        } else {
            println!(
                "Seeded the demo account; sign in as {} with password {password}",
                args.admin_email
            );
        }
        for (email, password) in &demo.agent_logins {
            println!("Demo agent {email} signs in with password {password}");
        }
    }
    let account = domain::AccountId(1);
    let started = std::time::Instant::now();
    let total = store::seed::bulk(
        &store,
        account,
        args.conversations,
        args.messages_per_conversation,
    )
    .await?;
    store.refresh_statistics().await?;
    println!(
        "Added {} conversations ({} messages each) in {:.1}s; account {account} now has {total}.",
        args.conversations,
        args.messages_per_conversation,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The URL without its password, for printing.
fn redact(url: &str) -> String {
    match url.split_once('@') {
        Some((credentials, rest)) if credentials.contains(':') && credentials.contains("//") => {
            let scheme_end = credentials.find("//").map_or(0, |i| i + 2);
            let user = credentials[scheme_end..]
                .split(':')
                .next()
                .unwrap_or_default();
            format!("{}{user}:***@{rest}", &credentials[..scheme_end])
        }
        _ => url.to_owned(),
    }
}
