-- The personal access token's dates (issue 8): when it was generated, and when it was last used
-- (written at most once a minute, like a session's last_seen_at). The SQLite twin of this file
-- has the same name under ../sqlite.
ALTER TABLE users ADD COLUMN access_token_created_at TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN access_token_last_used_at TIMESTAMPTZ;
