//! Two-factor authentication of the signed-in user (API.md §4, `/v2/user/2fa/...`) and the
//! second step of sign-in (§2). TOTP seeds are sealed with the instance key; recovery codes and
//! SMS codes are kept only as keyed hashes. A method is turned on only once a code proves it
//! works, and turning 2FA off needs the password.

use super::account_tokens::{self, LiveToken, Purpose};
use super::audit::{self, AuditEntry};
use super::emails::Recipient;
use super::notification_policy::{self, AccountChange};
use super::outbox::{self, Sms};
use super::rate_limit;
use super::sessions::refuse_while_impersonating;
use crate::domain::two_factor::{
    normalize_recovery_code, phone_hint, OtpMethod, PendingSetup, RecoveryCodes, TotpSetup,
    TwoFactorState,
};
use crate::domain::FieldError;
use crate::server::auth::{totp, Principal};
use crate::server::db::{new_id, now, Db, Exec, Sql};
use crate::server::{AppError, Config};
use chrono::{DateTime, Utc};
use rand::Rng;
use serde_json::json;
use std::time::Duration;

/// How many recovery codes a set has.
pub const RECOVERY_CODE_COUNT: usize = 10;
/// How long a set-up waits for its first code.
const TOTP_SETUP_LIFETIME: chrono::Duration = chrono::Duration::minutes(15);
const SMS_SETUP_LIFETIME: chrono::Duration = chrono::Duration::minutes(10);
/// Texts per user per window: a code costs money and reaches a phone, so nobody may flood it.
const SMS_LIMIT: i64 = 5;
const SMS_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Wrong codes while setting up, per user per window (the set-up code of an SMS proves the phone).
const SETUP_ATTEMPT_LIMIT: i64 = 10;
const SETUP_ATTEMPT_WINDOW: Duration = Duration::from_secs(15 * 60);

/// The 2FA columns of a user.
#[derive(sqlx::FromRow)]
pub(crate) struct OtpRow {
    pub id: String,
    pub organization_id: String,
    pub email: String,
    pub first_name: Option<String>,
    pub otp_secret: Option<String>,
    pub otp_totp_enabled: bool,
    pub otp_sms_enabled: bool,
    pub otp_phone: Option<String>,
    pub otp_default_method: Option<String>,
}

impl OtpRow {
    pub fn enabled(&self) -> bool {
        self.otp_totp_enabled || self.otp_sms_enabled
    }

    pub fn default_method(&self) -> Option<OtpMethod> {
        self.otp_default_method
            .as_deref()
            .and_then(OtpMethod::parse)
            .or(if self.otp_totp_enabled {
                Some(OtpMethod::Totp)
            } else if self.otp_sms_enabled {
                Some(OtpMethod::Sms)
            } else {
                None
            })
    }

    fn recipient(&self) -> Recipient<'_> {
        Recipient {
            user_id: &self.id,
            organization_id: &self.organization_id,
            email: &self.email,
            name: self.first_name.as_deref(),
        }
    }
}

pub(crate) async fn otp_row(exec: &mut Exec<'_>, user_id: &str) -> Result<OtpRow, AppError> {
    let row: Option<OtpRow> = exec
        .fetch_optional(
            &Sql::new(
                "SELECT id, organization_id, email, first_name, otp_secret, otp_totp_enabled, \
                 otp_sms_enabled, otp_phone, otp_default_method FROM users WHERE id = $1",
            )
            .bind(user_id),
        )
        .await?;
    row.ok_or_else(|| AppError::not_found("User"))
}

#[derive(sqlx::FromRow)]
struct EnrollmentRow {
    method: String,
    secret: Option<String>,
    phone: Option<String>,
    code_hash: Option<String>,
    expires_at: DateTime<Utc>,
}

async fn live_enrollment(
    exec: &mut Exec<'_>,
    user_id: &str,
) -> Result<Option<EnrollmentRow>, AppError> {
    let row: Option<EnrollmentRow> = exec
        .fetch_optional(
            &Sql::new(
                "SELECT method, secret, phone, code_hash, expires_at FROM two_factor_enrollments \
                 WHERE user_id = $1",
            )
            .bind(user_id),
        )
        .await?;
    Ok(row.filter(|row| row.expires_at > now()))
}

/// The card of `/me/security`.
pub async fn state(
    db: &Db,
    config: &Config,
    principal: &Principal,
) -> Result<TwoFactorState, AppError> {
    let mut conn = db.conn().await?;
    let mut exec = conn.exec();
    let row = otp_row(&mut exec, &principal.user_id).await?;
    let remaining = remaining_in(&mut exec, &principal.user_id).await?;
    let pending = match live_enrollment(&mut exec, &principal.user_id).await? {
        Some(enrollment) => pending_setup(config, principal, &enrollment),
        None => None,
    };
    Ok(TwoFactorState {
        totp_enabled: row.otp_totp_enabled,
        sms_enabled: row.otp_sms_enabled,
        phone_hint: row
            .otp_phone
            .as_deref()
            .filter(|_| row.otp_sms_enabled)
            .map(phone_hint),
        default_method: row.enabled().then(|| row.default_method()).flatten(),
        recovery_codes_remaining: remaining,
        pending,
        just_issued_codes: None,
    })
}

fn pending_setup(
    config: &Config,
    principal: &Principal,
    enrollment: &EnrollmentRow,
) -> Option<PendingSetup> {
    match OtpMethod::parse(&enrollment.method)? {
        OtpMethod::Totp => {
            let secret = config.secrets.open(enrollment.secret.as_deref()?)?;
            let setup = totp_setup(config, principal, &secret);
            let qr_svg = qr_svg(&setup.otpauth_url);
            Some(PendingSetup {
                method: OtpMethod::Totp,
                totp: Some(setup),
                qr_svg,
                phone_hint: None,
            })
        }
        OtpMethod::Sms => Some(PendingSetup {
            method: OtpMethod::Sms,
            totp: None,
            qr_svg: None,
            phone_hint: enrollment.phone.as_deref().map(phone_hint),
        }),
    }
}

fn totp_setup(config: &Config, principal: &Principal, secret: &[u8]) -> TotpSetup {
    TotpSetup {
        secret: totp::encode_secret(secret),
        otpauth_url: totp::otpauth_url(&config.totp_issuer, &principal.email, secret),
    }
}

/// The link as a QR code, an `<svg>` element drawn here (no external service sees the secret),
/// for the page to inline: without the XML declaration the renderer puts before it.
pub fn qr_svg(link: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(link, qrcode::EcLevel::M).ok()?;
    let document = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    let start = document.find("<svg")?;
    Some(document[start..].trim_end().to_string())
}

/// `POST /v2/user/2fa/enable`. TOTP: a new secret waits for its first code (an enabled TOTP
/// keeps working until then). SMS: a code goes to `phone`. Answers the TOTP set-up.
pub async fn enable(
    db: &Db,
    config: &Config,
    principal: &Principal,
    method: Option<&str>,
    phone: Option<&str>,
) -> Result<Option<TotpSetup>, AppError> {
    refuse_while_impersonating(principal)?;
    let method = parse_method(method)?;
    let at = now();
    match method {
        OtpMethod::Totp => {
            let secret = totp::generate_secret();
            let mut conn = db.conn().await?;
            upsert_enrollment(
                &mut conn.exec(),
                &principal.user_id,
                method,
                Some(&config.secrets.seal(&secret)),
                None,
                None,
                at + TOTP_SETUP_LIFETIME,
            )
            .await?;
            Ok(Some(totp_setup(config, principal, &secret)))
        }
        OtpMethod::Sms => {
            let phone = normalize_phone(phone.unwrap_or_default())
                .map_err(|message| AppError::Invalid(vec![FieldError::new("phone", message)]))?;
            reserve_sms(db, &principal.user_id).await?;
            let code = sms_code();
            let mut tx = db.begin().await?;
            let mut exec = tx.exec();
            let hash = config
                .secrets
                .code_hash(&format!("enroll:{}", principal.user_id), &code);
            upsert_enrollment(
                &mut exec,
                &principal.user_id,
                method,
                None,
                Some(&phone),
                Some(&hash),
                at + SMS_SETUP_LIFETIME,
            )
            .await?;
            outbox::enqueue_sms(
                &mut exec,
                Sms {
                    template: "otp_setup",
                    to: &phone,
                    text: format!(
                        "{code} is your code to turn on sign-in by text message for {}. It expires in 10 minutes.",
                        config.totp_issuer
                    ),
                    user_id: &principal.user_id,
                    organization_id: &principal.organization_id,
                },
            )
            .await?;
            tx.commit().await?;
            outbox::wake();
            Ok(None)
        }
    }
}

fn parse_method(method: Option<&str>) -> Result<OtpMethod, AppError> {
    match method.map(str::trim) {
        None | Some("") => Err(AppError::Invalid(vec![FieldError::new(
            "method",
            "can't be blank",
        )])),
        Some(value) => OtpMethod::parse(value).ok_or_else(|| {
            AppError::Invalid(vec![FieldError::new("method", "must be one of totp, sms")])
        }),
    }
}

async fn upsert_enrollment(
    exec: &mut Exec<'_>,
    user_id: &str,
    method: OtpMethod,
    secret: Option<&str>,
    phone: Option<&str>,
    code_hash: Option<&str>,
    expires_at: DateTime<Utc>,
) -> Result<(), AppError> {
    exec.execute(
        &Sql::new(
            "INSERT INTO two_factor_enrollments (user_id, method, secret, phone, code_hash, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (user_id) DO UPDATE SET method = excluded.method, secret = excluded.secret, \
             phone = excluded.phone, code_hash = excluded.code_hash, expires_at = excluded.expires_at, \
             created_at = excluded.created_at",
        )
        .bind(user_id)
        .bind(method.as_str())
        .bind(secret)
        .bind(phone)
        .bind(code_hash)
        .bind(expires_at)
        .bind(now()),
    )
    .await?;
    Ok(())
}

/// `+` and 8 to 15 digits (E.164); spaces, dots, dashes and brackets are allowed and dropped.
fn normalize_phone(phone: &str) -> Result<String, &'static str> {
    let phone = phone.trim();
    if phone.is_empty() {
        return Err("can't be blank");
    }
    let kept: String = phone
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
        .collect();
    let Some(digits) = kept.strip_prefix('+') else {
        return Err("must start with + and the country code");
    };
    if !(8..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("must be + and 8 to 15 digits");
    }
    Ok(kept)
}

fn sms_code() -> String {
    format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32))
}

async fn reserve_sms(db: &Db, user_id: &str) -> Result<(), AppError> {
    let reservation = rate_limit::reserve(
        db,
        &format!("sms:user:{user_id}"),
        SMS_LIMIT,
        SMS_WINDOW,
        now(),
    )
    .await?;
    if reservation.allowed {
        Ok(())
    } else {
        Err(AppError::TooManyRequests {
            message: "Too many text messages. Try again later.".into(),
            retry_after_secs: reservation.retry_after_secs,
        })
    }
}

/// `POST /v2/user/2fa/verify`: the first code of the method being set up turns it on, and a new
/// set of recovery codes is returned (once).
pub async fn verify(
    db: &Db,
    config: &Config,
    principal: &Principal,
    otp_attempt: &str,
) -> Result<RecoveryCodes, AppError> {
    refuse_while_impersonating(principal)?;
    let wrong = || {
        AppError::Invalid(vec![FieldError::new(
            "otp_attempt",
            "is not the right code",
        )])
    };
    if otp_attempt.trim().is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "otp_attempt",
            "can't be blank",
        )]));
    }
    let attempt_key = format!("2fa_setup:user:{}", principal.user_id);
    let reservation = rate_limit::reserve(
        db,
        &attempt_key,
        SETUP_ATTEMPT_LIMIT,
        SETUP_ATTEMPT_WINDOW,
        now(),
    )
    .await?;
    if !reservation.allowed {
        return Err(AppError::TooManyRequests {
            message: "Too many wrong codes. Start the set-up again later.".into(),
            retry_after_secs: reservation.retry_after_secs,
        });
    }
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    let Some(enrollment) = live_enrollment(&mut exec, &principal.user_id).await? else {
        return Err(AppError::Invalid(vec![FieldError::new(
            "otp_attempt",
            "has nothing to confirm: start the set-up (POST /v2/user/2fa/enable) first",
        )]));
    };
    let method = OtpMethod::parse(&enrollment.method)
        .ok_or_else(|| AppError::Internal("unknown 2FA enrolment method".into()))?;
    let update = match method {
        OtpMethod::Totp => {
            let sealed = enrollment
                .secret
                .ok_or_else(|| AppError::Internal("a TOTP enrolment without a secret".into()))?;
            let secret = config.secrets.open(&sealed).ok_or_else(|| {
                AppError::Internal("a TOTP secret that the instance key can't open".into())
            })?;
            let step =
                totp::matching_step(&secret, otp_attempt, now().timestamp()).ok_or_else(wrong)?;
            Sql::new(
                "UPDATE users SET otp_secret = $1, otp_totp_enabled = TRUE, otp_last_used_step = $2, \
                 otp_default_method = COALESCE(otp_default_method, 'totp'), updated_at = $3 WHERE id = $4",
            )
            .bind(sealed)
            .bind(step)
        }
        OtpMethod::Sms => {
            let expected = enrollment.code_hash.unwrap_or_default();
            let given = config
                .secrets
                .code_hash(&format!("enroll:{}", principal.user_id), otp_attempt.trim());
            if !crate::server::auth::token::constant_time_eq(expected.as_bytes(), given.as_bytes())
            {
                return Err(wrong());
            }
            Sql::new(
                "UPDATE users SET otp_phone = $1, otp_sms_enabled = TRUE, \
                 otp_default_method = COALESCE(otp_default_method, 'sms'), updated_at = $2 WHERE id = $3",
            )
            .bind(enrollment.phone)
        }
    };
    exec.execute(&update.bind(now()).bind(&principal.user_id))
        .await?;
    exec.execute(
        &Sql::new("DELETE FROM two_factor_enrollments WHERE user_id = $1").bind(&principal.user_id),
    )
    .await?;
    let codes = replace_recovery_codes(&mut exec, config, &principal.user_id).await?;
    audit::record(
        &mut exec,
        AuditEntry::by(
            principal,
            "user.2fa_enabled",
            "users",
            Some(&principal.user_id),
        )
        .with_changes(json!({ "method": method.as_str() })),
    )
    .await?;
    tx.commit().await?;
    rate_limit::refund(db, &attempt_key, &reservation).await?;
    Ok(codes)
}

/// A fresh set of ten codes replaces the user's old ones. Ten random characters each (about 50
/// bits, from an alphabet without look-alikes), shown as `xxxxx-xxxxx`.
async fn replace_recovery_codes(
    exec: &mut Exec<'_>,
    config: &Config,
    user_id: &str,
) -> Result<RecoveryCodes, AppError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    exec.execute(&Sql::new("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id))
        .await?;
    let at = now();
    let mut codes = Vec::with_capacity(RECOVERY_CODE_COUNT);
    let mut rng = rand::rngs::OsRng;
    let mut insert =
        Sql::new("INSERT INTO recovery_codes (id, user_id, code_hash, created_at) VALUES ");
    for i in 0..RECOVERY_CODE_COUNT {
        let raw: String = (0..10)
            .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
            .collect();
        if i > 0 {
            insert.push(", ");
        }
        insert
            .push("(")
            .push_bind(new_id())
            .push(", ")
            .push_bind(user_id)
            .push(", ")
            .push_bind(
                config
                    .secrets
                    .code_hash(&format!("recovery:{user_id}"), &raw),
            )
            .push(", ")
            .push_bind(at)
            .push(")");
        codes.push(format!("{}-{}", &raw[..5], &raw[5..]));
    }
    exec.execute(&insert).await?;
    Ok(RecoveryCodes {
        recovery_codes: codes,
    })
}

async fn remaining_in(exec: &mut Exec<'_>, user_id: &str) -> Result<u32, AppError> {
    let count = exec
        .fetch_count(
            &Sql::new("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
                .bind(user_id),
        )
        .await?;
    Ok(count.max(0) as u32)
}

/// Of `codes` (handed over to the page after a plain form post), those that are the user's and
/// unused: a stale or forged cookie shows nothing.
pub async fn unused_recovery_codes(
    db: &Db,
    config: &Config,
    principal: &Principal,
    codes: &[String],
) -> Result<Vec<String>, AppError> {
    let mut conn = db.conn().await?;
    let mut exec = conn.exec();
    let mut unused = Vec::with_capacity(codes.len());
    for code in codes.iter().take(RECOVERY_CODE_COUNT) {
        let hash = config.secrets.code_hash(
            &format!("recovery:{}", principal.user_id),
            &normalize_recovery_code(code),
        );
        let found = exec
            .fetch_count(
                &Sql::new(
                    "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND code_hash = $2 \
                     AND used_at IS NULL",
                )
                .bind(&principal.user_id)
                .bind(hash),
            )
            .await?;
        if found > 0 {
            unused.push(code.clone());
        }
    }
    Ok(unused)
}

/// "Cancel" on a set-up waiting for its first code (the browser's; the API's set-up simply
/// expires). Methods already on stay on.
pub async fn cancel_setup(db: &Db, principal: &Principal) -> Result<(), AppError> {
    refuse_while_impersonating(principal)?;
    let mut conn = db.conn().await?;
    conn.exec()
        .execute(
            &Sql::new("DELETE FROM two_factor_enrollments WHERE user_id = $1")
                .bind(&principal.user_id),
        )
        .await?;
    Ok(())
}

/// `GET /v2/user/2fa/recovery_codes`.
pub async fn remaining_recovery_codes(db: &Db, principal: &Principal) -> Result<u32, AppError> {
    let mut conn = db.conn().await?;
    remaining_in(&mut conn.exec(), &principal.user_id).await
}

/// `POST /v2/user/2fa/recovery_codes`: a new set; the old codes stop working.
pub async fn regenerate_recovery_codes(
    db: &Db,
    config: &Config,
    principal: &Principal,
) -> Result<RecoveryCodes, AppError> {
    refuse_while_impersonating(principal)?;
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    if !otp_row(&mut exec, &principal.user_id).await?.enabled() {
        return Err(not_on());
    }
    let codes = replace_recovery_codes(&mut exec, config, &principal.user_id).await?;
    audit::record(
        &mut exec,
        AuditEntry::by(
            principal,
            "user.recovery_codes_generated",
            "users",
            Some(&principal.user_id),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

fn not_on() -> AppError {
    AppError::Invalid(vec![FieldError::new(
        "two_factor_authentication",
        "is not turned on",
    )])
}

/// `PUT /v2/user/2fa/default_method`: the method sign-in asks for first; it must be on.
pub async fn set_default_method(
    db: &Db,
    principal: &Principal,
    method: Option<&str>,
) -> Result<(), AppError> {
    refuse_while_impersonating(principal)?;
    let method = parse_method(method)?;
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    let row = otp_row(&mut exec, &principal.user_id).await?;
    let on = match method {
        OtpMethod::Totp => row.otp_totp_enabled,
        OtpMethod::Sms => row.otp_sms_enabled,
    };
    if !on {
        return Err(AppError::Invalid(vec![FieldError::new(
            "method",
            "is not turned on: set it up first",
        )]));
    }
    exec.execute(
        &Sql::new("UPDATE users SET otp_default_method = $1, updated_at = $2 WHERE id = $3")
            .bind(method.as_str())
            .bind(now())
            .bind(&principal.user_id),
    )
    .await?;
    audit::record(
        &mut exec,
        AuditEntry::by(
            principal,
            "user.2fa_default_method",
            "users",
            Some(&principal.user_id),
        )
        .with_changes(json!({
            "otp_default_method": {"from": row.otp_default_method, "to": method.as_str()}
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// `DELETE /v2/user/2fa`: every method, set-up and recovery code goes; the password proves it
/// is the user. The notification policy's `secondFactorRemoved` trigger applies.
pub async fn disable(
    db: &Db,
    config: &Config,
    principal: &Principal,
    password: &str,
) -> Result<(), AppError> {
    refuse_while_impersonating(principal)?;
    if password.is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "password",
            "can't be blank",
        )]));
    }
    if !super::users::is_own_password(db, principal, password).await? {
        return Err(AppError::Invalid(vec![FieldError::new(
            "password",
            "is incorrect",
        )]));
    }
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    let row = otp_row(&mut exec, &principal.user_id).await?;
    if !row.enabled() {
        return Err(not_on());
    }
    exec.execute(
        &Sql::new(
            "UPDATE users SET otp_secret = NULL, otp_totp_enabled = FALSE, otp_sms_enabled = FALSE, \
             otp_phone = NULL, otp_default_method = NULL, otp_last_used_step = NULL, updated_at = $1 \
             WHERE id = $2",
        )
        .bind(now())
        .bind(&principal.user_id),
    )
    .await?;
    for table in ["recovery_codes", "two_factor_enrollments"] {
        exec.execute(
            &Sql::new(format!("DELETE FROM {table} WHERE user_id = $1")).bind(&principal.user_id),
        )
        .await?;
    }
    audit::record(
        &mut exec,
        AuditEntry::by(
            principal,
            "user.2fa_disabled",
            "users",
            Some(&principal.user_id),
        )
        .with_changes(json!({
            "otp_totp_enabled": {"from": row.otp_totp_enabled, "to": false},
            "otp_sms_enabled": {"from": row.otp_sms_enabled, "to": false},
        })),
    )
    .await?;
    notification_policy::account_changed(
        &mut exec,
        config,
        &row.recipient(),
        AccountChange::SecondFactorRemoved,
    )
    .await?;
    tx.commit().await?;
    outbox::wake();
    Ok(())
}

// --- The second step of sign-in -----------------------------------------------------------

/// What the first step answers a user with 2FA: the state the second step must present.
#[derive(Clone, Debug)]
pub struct Challenge {
    pub otp_session_state: String,
    pub default_method: OtpMethod,
}

/// After the right password: a short-lived `otp_session_state` (a single-use token; a newer
/// sign-in replaces it). When the user's default is SMS a code is texted at once.
pub(crate) async fn start_challenge(
    db: &Db,
    config: &Config,
    user: &OtpRow,
) -> Result<Challenge, AppError> {
    let default_method = user
        .default_method()
        .ok_or_else(|| AppError::Internal("a challenge for a user without 2FA".into()))?;
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    let (state, _) = account_tokens::issue(&mut exec, &user.id, Purpose::OtpSession).await?;
    tx.commit().await?;
    if default_method == OtpMethod::Sms {
        // Best effort: a refused text (the limit) still lets the user pick another method.
        let token = {
            let mut conn = db.conn().await?;
            account_tokens::find(&mut conn.exec(), &state, Purpose::OtpSession).await?
        };
        if let Some(token) = token {
            match send_code(db, config, user, &token).await {
                Ok(()) | Err(AppError::TooManyRequests { .. }) => {}
                Err(err) => return Err(err),
            }
        }
    }
    Ok(Challenge {
        otp_session_state: state,
        default_method,
    })
}

/// The live challenge behind an `otp_session_state`, or 401.
pub(crate) async fn find_challenge(db: &Db, state: &str) -> Result<LiveToken, AppError> {
    let mut conn = db.conn().await?;
    account_tokens::find(&mut conn.exec(), state, Purpose::OtpSession)
        .await?
        .ok_or_else(expired_challenge)
}

/// Which second factors the user behind a live challenge has: the sign-in page offers only those.
pub async fn challenge_methods(db: &Db, state: &str) -> Result<ChallengeMethods, AppError> {
    let token = find_challenge(db, state).await?;
    let mut conn = db.conn().await?;
    let user = otp_row(&mut conn.exec(), &token.user_id).await?;
    Ok(ChallengeMethods {
        totp: user.otp_totp_enabled,
        sms: user.otp_sms_enabled,
    })
}

/// The methods of a pending sign-in (recovery codes come with either).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChallengeMethods {
    pub totp: bool,
    pub sms: bool,
}

pub(crate) fn expired_challenge() -> AppError {
    AppError::Unauthorized("This sign-in has expired or is not valid. Sign in again.".into())
}

/// `POST /auth/send_sms_otp`: a new code texted for this challenge (the last one sent is the one
/// that works).
pub async fn send_sms_otp(db: &Db, config: &Config, state: &str) -> Result<(), AppError> {
    if state.trim().is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "otp_session_state",
            "can't be blank",
        )]));
    }
    let token = find_challenge(db, state).await?;
    let mut conn = db.conn().await?;
    let user = otp_row(&mut conn.exec(), &token.user_id).await?;
    drop(conn);
    if !user.otp_sms_enabled {
        return Err(AppError::Invalid(vec![FieldError::new(
            "otp_session_state",
            "belongs to an account without sign-in by text message",
        )]));
    }
    send_code(db, config, &user, &token).await
}

async fn send_code(
    db: &Db,
    config: &Config,
    user: &OtpRow,
    token: &LiveToken,
) -> Result<(), AppError> {
    let Some(phone) = user.otp_phone.as_deref() else {
        return Err(AppError::Internal("SMS 2FA without a phone".into()));
    };
    reserve_sms(db, &user.id).await?;
    let code = sms_code();
    let data = json!({ "sms_code_hash": config.secrets.code_hash(&format!("sign_in:{}", token.id), &code) });
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    exec.execute(
        &Sql::new("UPDATE user_tokens SET data = $1 WHERE id = $2 AND used_at IS NULL")
            .bind(data.to_string())
            .bind(&token.id),
    )
    .await?;
    outbox::enqueue_sms(
        &mut exec,
        Sms {
            template: "otp_sign_in",
            to: phone,
            text: format!(
                "{code} is your {} sign-in code. It expires in 5 minutes. Don't share it.",
                config.totp_issuer
            ),
            user_id: &user.id,
            organization_id: &user.organization_id,
        },
    )
    .await?;
    tx.commit().await?;
    outbox::wake();
    Ok(())
}

/// What the second step presents.
#[derive(Clone, Copy, Debug)]
pub enum SecondFactor<'a> {
    /// A TOTP code, or the SMS code sent for this challenge.
    Otp(&'a str),
    RecoveryCode(&'a str),
}

/// Whether the factor is right for the challenge's user; a right one is spent (a TOTP step can't
/// be used again, a recovery code neither). Each spend is one conditional `UPDATE`, so parallel
/// requests with the same code can't both pass.
pub(crate) async fn check_factor(
    db: &Db,
    config: &Config,
    user: &OtpRow,
    challenge: &LiveToken,
    factor: SecondFactor<'_>,
) -> Result<bool, AppError> {
    match factor {
        SecondFactor::Otp(attempt) => {
            if user.otp_totp_enabled {
                if let Some(secret) = user
                    .otp_secret
                    .as_deref()
                    .and_then(|s| config.secrets.open(s))
                {
                    if let Some(step) = totp::matching_step(&secret, attempt, now().timestamp()) {
                        let spent = db
                            .execute(
                                &Sql::new(
                                    "UPDATE users SET otp_last_used_step = $1 WHERE id = $2 \
                                     AND (otp_last_used_step IS NULL OR otp_last_used_step < $1)",
                                )
                                .bind(step)
                                .bind(&user.id),
                            )
                            .await?;
                        return Ok(spent == 1);
                    }
                }
            }
            if user.otp_sms_enabled {
                let expected = challenge
                    .data
                    .as_deref()
                    .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
                    .and_then(|d| d["sms_code_hash"].as_str().map(str::to_string));
                if let Some(expected) = expected {
                    let given = config
                        .secrets
                        .code_hash(&format!("sign_in:{}", challenge.id), attempt.trim());
                    return Ok(crate::server::auth::token::constant_time_eq(
                        expected.as_bytes(),
                        given.as_bytes(),
                    ));
                }
            }
            Ok(false)
        }
        SecondFactor::RecoveryCode(code) => {
            let code = normalize_recovery_code(code);
            if code.len() != 10 {
                return Ok(false);
            }
            let spent = db
                .execute(
                    &Sql::new(
                        "UPDATE recovery_codes SET used_at = $1 \
                         WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
                    )
                    .bind(now())
                    .bind(&user.id)
                    .bind(
                        config
                            .secrets
                            .code_hash(&format!("recovery:{}", user.id), &code),
                    ),
                )
                .await?;
            Ok(spent == 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_must_be_e164() {
        assert_eq!(
            normalize_phone("+1 (555) 010-4567"),
            Ok("+15550104567".into())
        );
        assert!(normalize_phone("").is_err());
        assert!(normalize_phone("5550104567").is_err());
        assert!(normalize_phone("+1234").is_err());
        assert!(normalize_phone("+1555010456a").is_err());
        assert!(normalize_phone("+1555\u{0}0104567").is_err());
    }

    #[test]
    fn sms_codes_are_six_digits() {
        for _ in 0..100 {
            let code = sms_code();
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn the_qr_code_is_an_svg_document() {
        let svg = qr_svg("otpauth://totp/Steward:a%40b.c?secret=JBSWY3DPEHPK3PXP").unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
    }
}
