-- Email (and later SMS) leaves through the outbox: a row written in the same transaction as the
-- change that causes it, delivered by a background worker that claims rows with a lease, so a
-- crash loses nothing, a rolled-back change sends nothing, and several instances send each
-- message once. The SQLite twin of this file has the same name under ../sqlite.
CREATE TABLE outbox_messages (
    id              TEXT PRIMARY KEY,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    template        TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT,
    user_id         TEXT REFERENCES users(id) ON DELETE SET NULL,
    organization_id TEXT,
    -- pending: waiting for (another) attempt; sent: the SMTP server took it; stored: no SMTP
    -- server is configured, the outbox itself is the delivery; failed: given up after retries.
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'stored', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    lease_until     TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ
);
CREATE INDEX outbox_messages_due_idx ON outbox_messages (status, next_attempt_at);
CREATE INDEX outbox_messages_created_at_idx ON outbox_messages (created_at, id);
CREATE INDEX outbox_messages_recipient_idx ON outbox_messages (lower(recipient));

-- Who invited a user (a pending invitation is an unconfirmed user with a live invitation token):
-- `inherit` and `transfer_resources` hand invitations over by this column.
ALTER TABLE users ADD COLUMN invited_by_id TEXT REFERENCES users(id) ON DELETE SET NULL;
CREATE INDEX users_invited_by_idx ON users (invited_by_id);
CREATE INDEX user_tokens_expires_at_idx ON user_tokens (expires_at);
