-- Organizations, users, sessions, one-time tokens, audit events and rate-limit counters.
-- Ids are text UUIDs; timestamps are RFC 3339 UTC text (they sort lexically).
-- The PostgreSQL twin of this file has the same name under ../postgres.

CREATE TABLE organizations (
    id                      TEXT PRIMARY KEY NOT NULL,
    name                    TEXT NOT NULL,
    company_name            TEXT NOT NULL,
    description             TEXT,
    address                 TEXT,
    city                    TEXT,
    state                   TEXT,
    zipcode                 TEXT,
    country                 TEXT,
    phone                   TEXT,
    website                 TEXT,
    email                   TEXT,
    contact_name            TEXT,
    contact_title           TEXT,
    contact_phone           TEXT,
    contact_email           TEXT,
    partner_organization_id TEXT REFERENCES organizations(id) ON DELETE SET NULL,
    lock_version            INTEGER NOT NULL DEFAULT 1,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL
);
CREATE INDEX organizations_name_idx ON organizations (lower(name), id);
CREATE INDEX organizations_company_name_idx ON organizations (lower(company_name), id);
CREATE INDEX organizations_country_idx ON organizations (lower(country), id);
CREATE INDEX organizations_city_idx ON organizations (lower(city));
CREATE INDEX organizations_email_idx ON organizations (lower(email));
CREATE INDEX organizations_created_at_idx ON organizations (created_at, id);
CREATE INDEX organizations_updated_at_idx ON organizations (updated_at, id);
CREATE INDEX organizations_partner_idx ON organizations (partner_organization_id);

-- Substring search over names without a full scan: an external-content FTS5 table with the
-- trigram tokenizer, kept in step by triggers.
CREATE VIRTUAL TABLE organizations_search USING fts5(
    name, company_name, content='organizations', content_rowid='rowid', tokenize='trigram'
);
CREATE TRIGGER organizations_search_ai AFTER INSERT ON organizations BEGIN
    INSERT INTO organizations_search (rowid, name, company_name) VALUES (new.rowid, new.name, new.company_name);
END;
CREATE TRIGGER organizations_search_ad AFTER DELETE ON organizations BEGIN
    INSERT INTO organizations_search (organizations_search, rowid, name, company_name)
    VALUES ('delete', old.rowid, old.name, old.company_name);
END;
CREATE TRIGGER organizations_search_au AFTER UPDATE OF name, company_name ON organizations BEGIN
    INSERT INTO organizations_search (organizations_search, rowid, name, company_name)
    VALUES ('delete', old.rowid, old.name, old.company_name);
    INSERT INTO organizations_search (rowid, name, company_name) VALUES (new.rowid, new.name, new.company_name);
END;

CREATE TABLE users (
    id                 TEXT PRIMARY KEY NOT NULL,
    organization_id    TEXT NOT NULL REFERENCES organizations(id) ON DELETE RESTRICT,
    username           TEXT NOT NULL,
    email              TEXT NOT NULL,
    password_hash      TEXT,
    role               TEXT NOT NULL CHECK (role IN ('User', 'Admin', 'Super Admin')),
    first_name         TEXT,
    last_name          TEXT,
    locale             TEXT NOT NULL DEFAULT 'en',
    timezone           TEXT NOT NULL DEFAULT 'UTC',
    phone              TEXT,
    mobile_phone       TEXT,
    url                TEXT,
    title              TEXT,
    address            TEXT,
    city               TEXT,
    state              TEXT,
    country            TEXT,
    zipcode            TEXT,
    comment            TEXT,
    partner            INTEGER NOT NULL DEFAULT 0,
    confirmed_at       TEXT,
    active_product     TEXT,
    last_sign_in_at    TEXT,
    last_sign_in_ip    TEXT,
    sign_in_count      INTEGER NOT NULL DEFAULT 0,
    failed_attempts    INTEGER NOT NULL DEFAULT 0,
    locked_until       TEXT,
    otp_secret         TEXT,
    otp_totp_enabled   INTEGER NOT NULL DEFAULT 0,
    otp_sms_enabled    INTEGER NOT NULL DEFAULT 0,
    otp_phone          TEXT,
    otp_default_method TEXT CHECK (otp_default_method IN ('totp', 'sms')),
    access_token_hash  TEXT,
    lock_version       INTEGER NOT NULL DEFAULT 1,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE UNIQUE INDEX users_email_idx ON users (lower(email));
CREATE UNIQUE INDEX users_username_idx ON users (lower(username));
CREATE UNIQUE INDEX users_access_token_idx ON users (access_token_hash);
CREATE INDEX users_organization_idx ON users (organization_id);
CREATE INDEX users_last_name_idx ON users (lower(last_name), id);
CREATE INDEX users_created_at_idx ON users (created_at, id);

-- Browser and API sessions. Only the SHA-256 of the token is stored.
CREATE TABLE sessions (
    id              TEXT PRIMARY KEY NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash      TEXT NOT NULL UNIQUE,
    impersonator_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    ip              TEXT,
    user_agent      TEXT,
    created_at      TEXT NOT NULL,
    last_seen_at    TEXT NOT NULL,
    expires_at      TEXT NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

-- Single-use tokens: confirmation, password reset, invitation, 2FA sign-in state, impersonation revert.
CREATE TABLE user_tokens (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    data       TEXT,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX user_tokens_user_idx ON user_tokens (user_id, purpose);

-- Every change made through any surface.
CREATE TABLE audit_events (
    id              TEXT PRIMARY KEY NOT NULL,
    actor_id        TEXT,
    impersonator_id TEXT,
    organization_id TEXT,
    action          TEXT NOT NULL,
    target_type     TEXT NOT NULL,
    target_id       TEXT,
    changes         TEXT NOT NULL DEFAULT '{}',
    ip              TEXT,
    user_agent      TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX audit_events_created_at_idx ON audit_events (created_at, id);
CREATE INDEX audit_events_target_idx ON audit_events (target_type, target_id);
CREATE INDEX audit_events_organization_idx ON audit_events (organization_id, created_at);

-- Fixed-window counters shared by every instance (sign-in attempts per IP, ...).
CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY NOT NULL,
    window_start TEXT NOT NULL,
    count        INTEGER NOT NULL
);
