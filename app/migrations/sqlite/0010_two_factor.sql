-- Two-factor sign-in (issue 8). The PostgreSQL twin of this file has the same name under ../postgres.
--
-- users.otp_secret holds the TOTP seed sealed with the instance key (never plain). The step of
-- the last accepted TOTP code is kept so that the same code can't be used twice.
ALTER TABLE users ADD COLUMN otp_last_used_step INTEGER;

-- A method being set up: the TOTP seed (sealed) or the phone and the keyed hash of the code sent
-- to it. It becomes the user's once a code proves it (POST /v2/user/2fa/verify).
CREATE TABLE two_factor_enrollments (
    user_id    TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    method     TEXT NOT NULL CHECK (method IN ('totp', 'sms')),
    secret     TEXT,
    phone      TEXT,
    code_hash  TEXT,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Ten single-use recovery codes per user, stored as keyed hashes.
CREATE TABLE recovery_codes (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    used_at    TEXT,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX recovery_codes_user_code_idx ON recovery_codes (user_id, code_hash);
