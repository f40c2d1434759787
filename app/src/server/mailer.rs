//! Where the outbox worker hands a message: an SMTP server (lettre), or nowhere, when none is
//! configured and the outbox itself is the delivery (API.md §8: the default, listed at
//! `GET /v2/outbox` and `/outbox`).

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How the connection to the SMTP server is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (required): port 587.
    StartTls,
    /// TLS from the first byte: port 465.
    Tls,
    /// No encryption: a relay on loopback or a test server only.
    None,
}

impl std::str::FromStr for SmtpSecurity {
    type Err = String;
    fn from_str(value: &str) -> Result<SmtpSecurity, String> {
        match value.to_ascii_lowercase().as_str() {
            "starttls" => Ok(SmtpSecurity::StartTls),
            "tls" => Ok(SmtpSecurity::Tls),
            "none" => Ok(SmtpSecurity::None),
            other => Err(format!("'{other}' is not one of starttls, tls, none")),
        }
    }
}

#[derive(Clone, Debug)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
}

/// One message as the worker reads it back from the outbox.
pub struct Outgoing<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: Option<&'a str>,
}

/// The outbox worker's transports. A channel without one (no SMTP server, no SMS gateway) keeps
/// its messages in the outbox, marked `stored`.
#[derive(Clone, Default)]
pub struct Mailer {
    smtp: Option<Box<SmtpMailer>>,
    sms: Option<SmsGateway>,
}

/// An HTTP SMS gateway: each text is a `POST` of `{"to", "body"}` as JSON, with
/// `Authorization: Bearer <key>` when a key is configured; any 2xx is delivered.
#[derive(Clone)]
pub struct SmsGateway {
    client: reqwest::Client,
    url: String,
    key: Option<String>,
}

#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// The mailer of a configuration: SMTP when a host is set. A bad `from` address or TLS setup
    /// is an error at start-up, not at the first message.
    pub fn new(smtp: Option<&SmtpSettings>, from: &str) -> Result<Mailer, String> {
        let Some(smtp) = smtp else {
            return Ok(Mailer::default());
        };
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("STEWARD_MAIL_FROM '{from}' is not an address: {e}"))?;
        let builder = match smtp.security {
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host),
            SmtpSecurity::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
            }
            SmtpSecurity::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                &smtp.host,
            )),
        }
        .map_err(|e| format!("cannot set up SMTP to {}: {e}", smtp.host))?;
        let mut builder = builder
            .port(smtp.port)
            .timeout(Some(Duration::from_secs(20)));
        if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Mailer {
            smtp: Some(Box::new(SmtpMailer {
                transport: builder.build(),
                from,
            })),
            sms: None,
        })
    }

    /// Texts go to this gateway instead of staying in the outbox.
    pub fn with_sms_gateway(mut self, url: &str, key: Option<&str>) -> Result<Mailer, String> {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(format!("STEWARD_SMS_URL '{url}' is not an http(s) URL"));
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| format!("cannot set up the SMS gateway client: {e}"))?;
        self.sms = Some(SmsGateway {
            client,
            url: url.to_string(),
            key: key.map(str::to_string),
        });
        Ok(self)
    }

    pub fn is_smtp(&self) -> bool {
        self.smtp.is_some()
    }

    pub fn has_sms_gateway(&self) -> bool {
        self.sms.is_some()
    }

    /// Hands one text to the SMS gateway. `Err` carries the reason shown on `/outbox`.
    pub async fn send_sms(&self, to: &str, body: &str) -> Result<(), String> {
        let Some(gateway) = &self.sms else {
            return Ok(());
        };
        let mut request = gateway
            .client
            .post(&gateway.url)
            .json(&serde_json::json!({ "to": to, "body": body }));
        if let Some(key) = &gateway.key {
            request = request.bearer_auth(key);
        }
        let response = request
            .send()
            .await
            .map_err(|e| format!("SMS gateway: {e}"))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("SMS gateway answered {}", response.status()))
        }
    }

    /// Hands one message to the SMTP server. `Err` carries the reason shown on `/outbox`.
    pub async fn send(&self, message: Outgoing<'_>) -> Result<(), String> {
        let Some(smtp) = &self.smtp else {
            return Ok(());
        };
        let SmtpMailer { transport, from } = smtp.as_ref();
        let to: Mailbox = message
            .to
            .parse()
            .map_err(|e| format!("the recipient is not an address: {e}"))?;
        let text = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(message.text.to_string());
        let body = match message.html {
            Some(html) => MultiPart::alternative().singlepart(text).singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .body(html.to_string()),
            ),
            None => MultiPart::mixed().singlepart(text),
        };
        let email = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(message.subject)
            .multipart(body)
            .map_err(|e| format!("cannot build the message: {e}"))?;
        transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| format!("SMTP: {e}"))
    }
}
