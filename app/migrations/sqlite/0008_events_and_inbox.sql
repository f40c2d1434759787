-- Events (API.md §5) and in-app notifications (§6). An event, the notifications it fans out to
-- and the emails it queues are written in one transaction, so a crash after the 202 loses
-- nothing. The PostgreSQL twin of this file has the same name under ../postgres.
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
    recipients      INTEGER NOT NULL,
    created_at      TEXT NOT NULL
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
    read_at           TEXT,
    seen_at           TEXT,
    created_at        TEXT NOT NULL
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at, id);
CREATE INDEX notifications_user_type_idx ON notifications (user_id, notification_type, created_at, id);
CREATE INDEX notifications_event_idx ON notifications (event_id);

-- Each user's totals, kept by triggers: the bell and the list's `meta` read one row instead of
-- counting a user's 100,000 notifications on every request.
CREATE TABLE notification_counts (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    total   INTEGER NOT NULL DEFAULT 0,
    unread  INTEGER NOT NULL DEFAULT 0,
    unseen  INTEGER NOT NULL DEFAULT 0
);

CREATE TRIGGER notification_counts_ai AFTER INSERT ON notifications BEGIN
    INSERT INTO notification_counts (user_id, total, unread, unseen)
    VALUES (NEW.user_id, 1, NEW.read_at IS NULL, NEW.seen_at IS NULL)
    ON CONFLICT (user_id) DO UPDATE SET total = total + 1,
        unread = unread + (NEW.read_at IS NULL), unseen = unseen + (NEW.seen_at IS NULL);
END;
CREATE TRIGGER notification_counts_ad AFTER DELETE ON notifications BEGIN
    UPDATE notification_counts SET total = total - 1,
        unread = unread - (OLD.read_at IS NULL), unseen = unseen - (OLD.seen_at IS NULL)
    WHERE user_id = OLD.user_id;
END;
CREATE TRIGGER notification_counts_au AFTER UPDATE OF read_at, seen_at ON notifications BEGIN
    UPDATE notification_counts SET
        unread = unread + (NEW.read_at IS NULL) - (OLD.read_at IS NULL),
        unseen = unseen + (NEW.seen_at IS NULL) - (OLD.seen_at IS NULL)
    WHERE user_id = NEW.user_id;
END;
