-- The notification policy (API.md §7, ZITADEL's management API): which account changes send the
-- user an email and an in-app notification. One row per organization that set its own (`scope` =
-- its id) and one for the instance default (`scope` = 'instance'). A reset to the default keeps
-- the row with `custom` off, so `sequence` keeps growing as ZITADEL's does. The PostgreSQL twin of
-- this file has the same name under ../postgres.
CREATE TABLE notification_policies (
    scope                  TEXT PRIMARY KEY NOT NULL,
    custom                 INTEGER NOT NULL DEFAULT 1,
    password_change        INTEGER NOT NULL DEFAULT 0,
    email_change           INTEGER NOT NULL DEFAULT 0,
    second_factor_removed  INTEGER NOT NULL DEFAULT 0,
    account_locked         INTEGER NOT NULL DEFAULT 0,
    sequence               INTEGER NOT NULL,
    created_at             TEXT NOT NULL,
    changed_at             TEXT NOT NULL
);
