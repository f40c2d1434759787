use super::auth::secret_box::SecretBox;
use super::mailer::SmtpSettings;
use std::time::Duration;

/// Runtime settings the service layer needs. The binary fills this from flags and environment
/// (`steward --help`); tests build it directly.
#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite://...` or `postgres://...`.
    pub database_url: String,
    /// A session ends after this long without a request (API.md §1: 12 h).
    pub session_idle_timeout: Duration,
    /// ... and this long after sign-in, whatever happens (7 d).
    pub session_absolute_timeout: Duration,
    /// The first Super Admin, created when the database has no user.
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
    /// When set, every `/v2` and `/auth` request must carry it in `X-API-KEY`.
    pub api_key: Option<String>,
    /// Mark the session cookie `Secure` (serve over https).
    pub secure_cookies: bool,
    /// Largest request body accepted, in bytes (larger → 413).
    pub body_limit: usize,
    /// Failed sign-ins in a row that lock an account, and for how long.
    pub lockout_attempts: i64,
    pub lockout_duration: Duration,
    /// Sign-in attempts per client IP per window before 429.
    pub sign_in_rate_limit: i64,
    pub sign_in_rate_window: Duration,
    /// An export whose client reads nothing for this long is abandoned (its connection returns).
    pub export_stall_timeout: Duration,
    /// A new connection that hasn't sent its first request's headers within this long is closed
    /// (slowloris).
    pub header_read_timeout: Duration,
    /// A kept-alive connection that sends no further request within this long is closed (this also
    /// bounds a later request's headers). Longer than a load balancer's own idle timeout (60 s for
    /// nginx and AWS ALB), so the balancer closes first and never reuses a connection that Steward
    /// is closing at that moment, which it would answer with a 502.
    pub idle_connection_timeout: Duration,
    /// The address users reach Steward at (`https://steward.example.com`): emailed links start
    /// with it. Unset, the server fills in the address it listens on.
    pub public_url: Option<String>,
    /// The SMTP server; without one the outbox is the delivery (API.md §8).
    pub smtp: Option<SmtpSettings>,
    /// The `From` of every email.
    pub mail_from: String,
    /// Run the outbox worker in this instance. Off, the instance only writes messages and
    /// another one delivers them (a web-only node beside a worker node).
    pub deliver_outbox: bool,
    /// Seals 2FA secrets at rest and peppers the hashes of short codes (see `SecretBox`).
    pub secrets: SecretBox,
    /// What authenticator apps show next to a code (the `issuer` of the otpauth:// link).
    pub totp_issuer: String,
    /// Where SMS codes go; unset, the outbox is the delivery (API.md §4, §8).
    pub sms_provider: Option<SmsProvider>,
}

/// An HTTP SMS gateway: Steward POSTs `{"to", "body"}` as JSON with `Authorization: Bearer <key>`.
#[derive(Clone, Debug)]
pub struct SmsProvider {
    pub url: String,
    pub key: Option<String>,
}

impl Config {
    pub fn new(database_url: impl Into<String>) -> Config {
        Config {
            database_url: database_url.into(),
            session_idle_timeout: Duration::from_secs(12 * 3600),
            session_absolute_timeout: Duration::from_secs(7 * 24 * 3600),
            admin_email: None,
            admin_password: None,
            api_key: None,
            secure_cookies: false,
            body_limit: 1024 * 1024,
            lockout_attempts: 10,
            lockout_duration: Duration::from_secs(15 * 60),
            sign_in_rate_limit: 60,
            sign_in_rate_window: Duration::from_secs(5 * 60),
            export_stall_timeout: Duration::from_secs(30),
            header_read_timeout: Duration::from_secs(10),
            idle_connection_timeout: Duration::from_secs(75),
            public_url: None,
            smtp: None,
            mail_from: "Steward <steward@localhost>".into(),
            deliver_outbox: true,
            secrets: SecretBox::ephemeral(),
            totp_issuer: "Steward".into(),
            sms_provider: None,
        }
    }

    /// An absolute link to a page of the app, for an email.
    pub fn link(&self, path: &str) -> String {
        let base = self
            .public_url
            .as_deref()
            .unwrap_or("http://localhost:3000");
        format!("{}{}", base.trim_end_matches('/'), path)
    }
}
