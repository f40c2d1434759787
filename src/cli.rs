//! Flags and environment variables. Every setting can come from either; `steward --help` lists them.

use crate::startup::Application;
use app::server::auth::secret_box::SecretBox;
use app::server::config::{Config, SmsProvider};
use app::server::mailer::{SmtpSecurity, SmtpSettings};
use app::server::services::seed;
use app::server::Db;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "steward",
    version,
    about = "Steward: organizations, users and notification preferences — admin UI and API"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub settings: Settings,
    /// Log format: `text` or `json`.
    #[arg(
        long,
        env = "STEWARD_LOG_FORMAT",
        default_value = "text",
        global = true
    )]
    pub log_format: String,
}

#[derive(Subcommand, Debug, Default, Clone)]
pub enum Command {
    /// Run the web server (the default).
    #[default]
    Serve,
    /// Insert deterministic demo data (idempotent for the same sizes).
    Seed(SeedSizes),
}

#[derive(Args, Debug, Clone, Copy)]
pub struct SeedSizes {
    /// How many organizations.
    #[arg(long, default_value_t = 100)]
    pub organizations: u64,
    /// How many users, spread over the organizations (the first of each is its Admin).
    #[arg(long, default_value_t = 200)]
    pub users: u64,
}

#[derive(Args, Debug, Clone)]
pub struct Settings {
    /// Database: `sqlite://<file>` (created on first start) or `postgres://user@host/db`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/steward.db",
        global = true
    )]
    pub database_url: String,
    /// Address to listen on.
    #[arg(
        long,
        env = "LEPTOS_SITE_ADDR",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub site_addr: SocketAddr,
    /// Where the compiled site (wasm, js, css, public files) is served from.
    #[arg(
        long,
        env = "LEPTOS_SITE_ROOT",
        default_value = "target/site",
        global = true
    )]
    pub site_root: String,
    /// Minutes without a request after which a session ends.
    #[arg(
        long,
        env = "STEWARD_SESSION_IDLE_MINUTES",
        default_value_t = 720,
        global = true
    )]
    pub session_idle_minutes: u64,
    /// Hours after sign-in after which a session ends regardless.
    #[arg(
        long,
        env = "STEWARD_SESSION_ABSOLUTE_HOURS",
        default_value_t = 168,
        global = true
    )]
    pub session_absolute_hours: u64,
    /// Email of the first Super Admin, created when the database has no user.
    #[arg(long, env = "STEWARD_ADMIN_EMAIL", global = true)]
    pub admin_email: Option<String>,
    /// Password of the first Super Admin; without it one is generated and printed once.
    #[arg(
        long,
        env = "STEWARD_ADMIN_PASSWORD",
        hide_env_values = true,
        global = true
    )]
    pub admin_password: Option<String>,
    /// When set, every /v2 and /auth request must carry it in the X-API-KEY header.
    #[arg(long, env = "STEWARD_API_KEY", hide_env_values = true, global = true)]
    pub api_key: Option<String>,
    /// Mark the session cookie Secure (set when served over https).
    #[arg(
        long,
        env = "STEWARD_SECURE_COOKIES",
        default_value_t = false,
        global = true
    )]
    pub secure_cookies: bool,
    /// Largest accepted request body in bytes.
    #[arg(long, env = "STEWARD_BODY_LIMIT", default_value_t = 1024 * 1024, global = true)]
    pub body_limit: usize,
    /// Seconds a new connection may take to send its first request's headers before it is closed.
    #[arg(
        long,
        env = "STEWARD_HEADER_READ_TIMEOUT_SECS",
        default_value_t = 10,
        global = true
    )]
    pub header_read_timeout_secs: u64,
    /// Seconds a kept-alive connection may stay idle before it is closed (keep it above a load
    /// balancer's own idle timeout).
    #[arg(
        long,
        env = "STEWARD_IDLE_CONNECTION_TIMEOUT_SECS",
        default_value_t = 75,
        global = true
    )]
    pub idle_connection_timeout_secs: u64,
    /// Seconds an export waits on a client that reads nothing before it gives up.
    #[arg(
        long,
        env = "STEWARD_EXPORT_STALL_TIMEOUT_SECS",
        default_value_t = 30,
        global = true
    )]
    pub export_stall_timeout_secs: u64,
    /// The address users reach Steward at (emailed links start with it), e.g.
    /// https://steward.example.com. Default: the address it listens on.
    #[arg(long, env = "STEWARD_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// SMTP server host. Unset, no email leaves: the outbox (/outbox, GET /v2/outbox) is the
    /// delivery.
    #[arg(long, env = "STEWARD_SMTP_HOST", global = true)]
    pub smtp_host: Option<String>,
    /// SMTP port (587 for starttls, 465 for tls, 25 for none).
    #[arg(long, env = "STEWARD_SMTP_PORT", global = true)]
    pub smtp_port: Option<u16>,
    /// SMTP connection security: starttls, tls or none.
    #[arg(
        long,
        env = "STEWARD_SMTP_SECURITY",
        default_value = "starttls",
        global = true
    )]
    pub smtp_security: SmtpSecurity,
    #[arg(long, env = "STEWARD_SMTP_USERNAME", global = true)]
    pub smtp_username: Option<String>,
    #[arg(
        long,
        env = "STEWARD_SMTP_PASSWORD",
        hide_env_values = true,
        global = true
    )]
    pub smtp_password: Option<String>,
    /// The From of every email.
    #[arg(
        long,
        env = "STEWARD_MAIL_FROM",
        default_value = "Steward <steward@localhost>",
        global = true
    )]
    pub mail_from: String,
    /// Deliver the outbox from this instance (true) or leave it to another instance sharing
    /// the database (false: a web-only node).
    #[arg(
        long,
        env = "STEWARD_DELIVER_OUTBOX",
        default_value_t = true,
        action = clap::ArgAction::Set,
        global = true
    )]
    pub deliver_outbox: bool,
    /// The key that seals 2FA secrets at rest: base64 of 32 random bytes
    /// (`openssl rand -base64 32`). Unset, one is generated into <data-dir>/secret.key on first
    /// start. Instances sharing a database need the same key.
    #[arg(
        long,
        env = "STEWARD_SECRET_KEY",
        hide_env_values = true,
        global = true
    )]
    pub secret_key: Option<String>,
    /// Where Steward keeps its own files (the generated secret key). Default: the SQLite file's
    /// folder, else `data`.
    #[arg(long, env = "STEWARD_DATA_DIR", global = true)]
    pub data_dir: Option<std::path::PathBuf>,
    /// The name authenticator apps show next to Steward's codes.
    #[arg(
        long,
        env = "STEWARD_TOTP_ISSUER",
        default_value = "Steward",
        global = true
    )]
    pub totp_issuer: String,
    /// An HTTP SMS gateway for 2FA codes: Steward POSTs {"to", "body"} as JSON. Unset, texts stay
    /// in the outbox (/outbox).
    #[arg(long, env = "STEWARD_SMS_URL", global = true)]
    pub sms_url: Option<String>,
    /// Sent to the SMS gateway as `Authorization: Bearer <key>`.
    #[arg(long, env = "STEWARD_SMS_KEY", hide_env_values = true, global = true)]
    pub sms_key: Option<String>,
}

impl Settings {
    /// The folder of the generated secret key: `--data-dir`, else the SQLite file's, else `data`.
    fn data_dir(&self) -> std::path::PathBuf {
        if let Some(dir) = &self.data_dir {
            return dir.clone();
        }
        self.database_url
            .strip_prefix("sqlite://")
            .map(|rest| rest.split('?').next().unwrap_or(rest))
            .and_then(|file| std::path::Path::new(file).parent().map(|p| p.to_path_buf()))
            .filter(|dir| !dir.as_os_str().is_empty())
            .unwrap_or_else(|| std::path::PathBuf::from("data"))
    }

    /// The sealing key of 2FA secrets: configured, or the data directory's.
    fn secrets(&self) -> Result<SecretBox, String> {
        match self.secret_key.as_deref().filter(|k| !k.trim().is_empty()) {
            Some(key) => {
                SecretBox::from_base64(key).map_err(|e| format!("STEWARD_SECRET_KEY: {e}"))
            }
            None => SecretBox::load_or_create(&self.data_dir().join("secret.key")),
        }
    }

    pub fn config(&self) -> Result<Config, String> {
        let mut config = Config::new(&self.database_url);
        config.secrets = self.secrets()?;
        config.totp_issuer = self.totp_issuer.clone();
        config.sms_provider =
            self.sms_url
                .clone()
                .filter(|u| !u.is_empty())
                .map(|url| SmsProvider {
                    url,
                    key: self.sms_key.clone().filter(|k| !k.is_empty()),
                });
        config.session_idle_timeout = Duration::from_secs(self.session_idle_minutes.max(1) * 60);
        config.session_absolute_timeout =
            Duration::from_secs(self.session_absolute_hours.max(1) * 3600);
        config.admin_email = self.admin_email.clone();
        config.admin_password = self.admin_password.clone();
        config.api_key = self.api_key.clone().filter(|k| !k.is_empty());
        config.secure_cookies = self.secure_cookies;
        config.body_limit = self.body_limit;
        config.header_read_timeout = Duration::from_secs(self.header_read_timeout_secs.max(1));
        config.idle_connection_timeout =
            Duration::from_secs(self.idle_connection_timeout_secs.max(1));
        config.export_stall_timeout = Duration::from_secs(self.export_stall_timeout_secs.max(1));
        config.public_url = self.public_url.clone().filter(|u| !u.is_empty());
        config.smtp = self
            .smtp_host
            .clone()
            .filter(|h| !h.is_empty())
            .map(|host| SmtpSettings {
                host,
                port: self.smtp_port.unwrap_or(match self.smtp_security {
                    SmtpSecurity::StartTls => 587,
                    SmtpSecurity::Tls => 465,
                    SmtpSecurity::None => 25,
                }),
                security: self.smtp_security,
                username: self.smtp_username.clone().filter(|u| !u.is_empty()),
                password: self.smtp_password.clone(),
            });
        config.mail_from = self.mail_from.clone();
        config.deliver_outbox = self.deliver_outbox;
        Ok(config)
    }
}

pub async fn serve(settings: &Settings) -> Result<(), String> {
    let app = Application::build(settings.config()?, settings.site_addr, &settings.site_root)
        .await
        .map_err(|e| e.to_string())?;
    if let Some(admin) = &app.first_admin {
        match &admin.generated_password {
            Some(password) => println!(
                "\nFirst Super Admin created:\n  email:    {}\n  password: {password}\n(shown once; set STEWARD_ADMIN_PASSWORD to choose it)\n",
                admin.email
            ),
            None => println!("\nFirst Super Admin created: {}\n", admin.email),
        }
    }
    println!("Steward is listening on http://{}", app.address());
    app.run_until_stopped().await.map_err(|e| e.to_string())
}

pub async fn seed(settings: &Settings, sizes: SeedSizes) -> Result<(), String> {
    let config = settings.config()?;
    let db = Db::connect(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    // The Super Admin first, so a seeded database can still be signed into.
    if let Some(admin) = app::server::services::users::ensure_first_super_admin(
        &db,
        config.admin_email.as_deref(),
        config.admin_password.as_deref(),
    )
    .await
    .map_err(|e| e.to_api_error().message)?
    {
        if let Some(password) = admin.generated_password {
            println!("First Super Admin: {} / {password}", admin.email);
        }
    }
    let started = std::time::Instant::now();
    let report = seed::seed(&db, sizes.organizations, sizes.users)
        .await
        .map_err(|e| e.to_api_error().message)?;
    println!(
        "Seeded {} organizations and {} users in {:.1}s (demo password: {})",
        report.organizations,
        report.users,
        started.elapsed().as_secs_f64(),
        seed::SEED_PASSWORD
    );
    db.close().await;
    Ok(())
}
