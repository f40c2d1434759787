-- The unread, in order: the inbox's "unread" filter (alone or with a type) pages through these
-- instead of walking every notification of the user (or of the type) and looking each one up
-- for `read_at`, which made page 40 of a 100,000-notification inbox cost 2,000 lookups. Partial,
-- so that reading a notification takes it out, and the read cost nothing here.
CREATE INDEX notifications_user_unread_idx ON notifications (user_id, created_at, id)
    WHERE read_at IS NULL;
CREATE INDEX notifications_user_type_unread_idx ON notifications (user_id, notification_type, created_at, id)
    WHERE read_at IS NULL;
