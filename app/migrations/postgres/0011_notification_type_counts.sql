-- A user's notification totals per type: the list's `meta` for a type filter (with or without
-- read/seen) reads one row instead of counting the user's notifications of that type, which took
-- 30 ms at 33,000 of them. The user's own totals (the bell) are the sum of their few rows. The
-- statement-level triggers group by (user, type) instead of by user: the fan-out still writes
-- one row per user and type.
DROP TRIGGER notification_counts_ai ON notifications;
DROP TRIGGER notification_counts_ad ON notifications;
DROP TRIGGER notification_counts_au ON notifications;
DROP FUNCTION notification_counts_inserted();
DROP FUNCTION notification_counts_deleted();
DROP FUNCTION notification_counts_updated();

CREATE TABLE notification_type_counts (
    user_id           TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    notification_type TEXT NOT NULL,
    total             BIGINT NOT NULL DEFAULT 0,
    unread            BIGINT NOT NULL DEFAULT 0,
    unseen            BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, notification_type)
);

INSERT INTO notification_type_counts (user_id, notification_type, total, unread, unseen)
SELECT user_id, notification_type, COUNT(*), COUNT(*) FILTER (WHERE read_at IS NULL),
    COUNT(*) FILTER (WHERE seen_at IS NULL)
FROM notifications GROUP BY user_id, notification_type;

DROP TABLE notification_counts;

CREATE FUNCTION notification_type_counts_inserted() RETURNS trigger AS $$
BEGIN
    INSERT INTO notification_type_counts AS c (user_id, notification_type, total, unread, unseen)
    SELECT user_id, notification_type, COUNT(*), COUNT(*) FILTER (WHERE read_at IS NULL),
        COUNT(*) FILTER (WHERE seen_at IS NULL)
    FROM new_rows GROUP BY user_id, notification_type ORDER BY user_id, notification_type
    ON CONFLICT (user_id, notification_type) DO UPDATE SET total = c.total + EXCLUDED.total,
        unread = c.unread + EXCLUDED.unread, unseen = c.unseen + EXCLUDED.unseen;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION notification_type_counts_deleted() RETURNS trigger AS $$
BEGIN
    UPDATE notification_type_counts c SET total = c.total - d.total, unread = c.unread - d.unread,
        unseen = c.unseen - d.unseen
    FROM (SELECT user_id, notification_type, COUNT(*) AS total,
            COUNT(*) FILTER (WHERE read_at IS NULL) AS unread,
            COUNT(*) FILTER (WHERE seen_at IS NULL) AS unseen
          FROM old_rows GROUP BY user_id, notification_type) d
    WHERE c.user_id = d.user_id AND c.notification_type = d.notification_type;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION notification_type_counts_updated() RETURNS trigger AS $$
BEGIN
    UPDATE notification_type_counts c SET unread = c.unread + d.unread, unseen = c.unseen + d.unseen
    FROM (SELECT n.user_id, n.notification_type,
            SUM((n.read_at IS NULL)::int - (o.read_at IS NULL)::int) AS unread,
            SUM((n.seen_at IS NULL)::int - (o.seen_at IS NULL)::int) AS unseen
          FROM new_rows n JOIN old_rows o ON o.id = n.id GROUP BY n.user_id, n.notification_type) d
    WHERE c.user_id = d.user_id AND c.notification_type = d.notification_type
        AND (d.unread <> 0 OR d.unseen <> 0);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER notification_type_counts_ai AFTER INSERT ON notifications
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notification_type_counts_inserted();
CREATE TRIGGER notification_type_counts_ad AFTER DELETE ON notifications
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notification_type_counts_deleted();
CREATE TRIGGER notification_type_counts_au AFTER UPDATE ON notifications
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notification_type_counts_updated();
