-- The notification policy (API.md §7, ZITADEL's management API): which account changes send the
-- user an email and an in-app notification. One row per organization that set its own (`scope` =
-- its id) and one for the instance default (`scope` = 'instance'). A reset to the default keeps
-- the row with `custom` off, so `sequence` keeps growing as ZITADEL's does. The SQLite twin of
-- this file has the same name under ../sqlite.
CREATE TABLE notification_policies (
    scope                  TEXT PRIMARY KEY NOT NULL,
    custom                 BOOLEAN NOT NULL DEFAULT TRUE,
    password_change        BOOLEAN NOT NULL DEFAULT FALSE,
    email_change           BOOLEAN NOT NULL DEFAULT FALSE,
    second_factor_removed  BOOLEAN NOT NULL DEFAULT FALSE,
    account_locked         BOOLEAN NOT NULL DEFAULT FALSE,
    sequence               BIGINT NOT NULL,
    created_at             TIMESTAMPTZ NOT NULL,
    changed_at             TIMESTAMPTZ NOT NULL
);
