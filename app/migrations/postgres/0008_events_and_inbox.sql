-- Events (API.md §5) and in-app notifications (§6). An event, the notifications it fans out to
-- and the emails it queues are written in one transaction, so a crash after the 202 loses
-- nothing. The SQLite twin of this file has the same name under ../sqlite.
CREATE TABLE events (
    id              TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    event_type      TEXT NOT NULL CHECK (event_type IN ('scan_event', 'report_event', 'exception_event', 'overdue_pci_reminder')),
    status          TEXT,
    result          TEXT,
    severity        INTEGER,
    title           TEXT NOT NULL,
    url             TEXT,
    created_by_id   TEXT REFERENCES users(id) ON DELETE SET NULL,
    -- The client's `Idempotency-Key` and a digest of the body it came with: a retry with the same
    -- key answers the first 202 again, the same key with another body is refused.
    idempotency_key TEXT,
    request_digest  TEXT NOT NULL,
    recipients      BIGINT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX events_idempotency_idx ON events (created_by_id, idempotency_key);
CREATE INDEX events_organization_idx ON events (organization_id, created_at);

-- A user's in-app notifications: from events, and from the notification policy's account
-- triggers (`password_change`, ...). Reading one also sees it.
CREATE TABLE notifications (
    id                TEXT PRIMARY KEY NOT NULL,
    user_id           TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    event_id          TEXT REFERENCES events(id) ON DELETE SET NULL,
    notification_type TEXT NOT NULL,
    title             TEXT NOT NULL,
    body              TEXT NOT NULL,
    url               TEXT,
    read_at           TIMESTAMPTZ,
    seen_at           TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at, id);
CREATE INDEX notifications_user_type_idx ON notifications (user_id, notification_type, created_at, id);
CREATE INDEX notifications_event_idx ON notifications (event_id);

-- Each user's totals, kept by triggers: the bell and the list's `meta` read one row instead of
-- counting a user's 100,000 notifications on every request.
CREATE TABLE notification_counts (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    total   BIGINT NOT NULL DEFAULT 0,
    unread  BIGINT NOT NULL DEFAULT 0,
    unseen  BIGINT NOT NULL DEFAULT 0
);

-- Statement-level triggers with transition tables: an event's fan-out to 10,000 users, or "mark
-- all read" over 100,000 notifications, updates each user's row once, not once per notification.
CREATE FUNCTION notification_counts_inserted() RETURNS trigger AS $$
BEGIN
    INSERT INTO notification_counts AS c (user_id, total, unread, unseen)
    SELECT user_id, COUNT(*), COUNT(*) FILTER (WHERE read_at IS NULL), COUNT(*) FILTER (WHERE seen_at IS NULL)
    FROM new_rows GROUP BY user_id ORDER BY user_id
    ON CONFLICT (user_id) DO UPDATE SET total = c.total + EXCLUDED.total,
        unread = c.unread + EXCLUDED.unread, unseen = c.unseen + EXCLUDED.unseen;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION notification_counts_deleted() RETURNS trigger AS $$
BEGIN
    UPDATE notification_counts c SET total = c.total - d.total, unread = c.unread - d.unread,
        unseen = c.unseen - d.unseen
    FROM (SELECT user_id, COUNT(*) AS total, COUNT(*) FILTER (WHERE read_at IS NULL) AS unread,
            COUNT(*) FILTER (WHERE seen_at IS NULL) AS unseen
          FROM old_rows GROUP BY user_id) d
    WHERE c.user_id = d.user_id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION notification_counts_updated() RETURNS trigger AS $$
BEGIN
    UPDATE notification_counts c SET unread = c.unread + d.unread, unseen = c.unseen + d.unseen
    FROM (SELECT n.user_id,
            SUM((n.read_at IS NULL)::int - (o.read_at IS NULL)::int) AS unread,
            SUM((n.seen_at IS NULL)::int - (o.seen_at IS NULL)::int) AS unseen
          FROM new_rows n JOIN old_rows o ON o.id = n.id GROUP BY n.user_id) d
    WHERE c.user_id = d.user_id AND (d.unread <> 0 OR d.unseen <> 0);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER notification_counts_ai AFTER INSERT ON notifications
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notification_counts_inserted();
CREATE TRIGGER notification_counts_ad AFTER DELETE ON notifications
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notification_counts_deleted();
CREATE TRIGGER notification_counts_au AFTER UPDATE ON notifications
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notification_counts_updated();
