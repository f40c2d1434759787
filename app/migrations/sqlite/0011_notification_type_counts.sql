-- A user's notification totals per type: the list's `meta` for a type filter (with or without
-- read/seen) reads one row instead of counting the user's notifications of that type, which took
-- 30 ms at 33,000 of them. The user's own totals (the bell) are the sum of their few rows. The
-- triggers upsert one row per notification, as before: the fan-out writes no more than it did.
DROP TRIGGER notification_counts_ai;
DROP TRIGGER notification_counts_ad;
DROP TRIGGER notification_counts_au;

CREATE TABLE notification_type_counts (
    user_id           TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    notification_type TEXT NOT NULL,
    total             INTEGER NOT NULL DEFAULT 0,
    unread            INTEGER NOT NULL DEFAULT 0,
    unseen            INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, notification_type)
) WITHOUT ROWID;

INSERT INTO notification_type_counts (user_id, notification_type, total, unread, unseen)
SELECT user_id, notification_type, COUNT(*), SUM(read_at IS NULL), SUM(seen_at IS NULL)
FROM notifications GROUP BY user_id, notification_type;

DROP TABLE notification_counts;

CREATE TRIGGER notification_type_counts_ai AFTER INSERT ON notifications BEGIN
    INSERT INTO notification_type_counts (user_id, notification_type, total, unread, unseen)
    VALUES (NEW.user_id, NEW.notification_type, 1, NEW.read_at IS NULL, NEW.seen_at IS NULL)
    ON CONFLICT (user_id, notification_type) DO UPDATE SET total = total + 1,
        unread = unread + (NEW.read_at IS NULL), unseen = unseen + (NEW.seen_at IS NULL);
END;
CREATE TRIGGER notification_type_counts_ad AFTER DELETE ON notifications BEGIN
    UPDATE notification_type_counts SET total = total - 1,
        unread = unread - (OLD.read_at IS NULL), unseen = unseen - (OLD.seen_at IS NULL)
    WHERE user_id = OLD.user_id AND notification_type = OLD.notification_type;
END;
CREATE TRIGGER notification_type_counts_au AFTER UPDATE OF read_at, seen_at ON notifications BEGIN
    UPDATE notification_type_counts SET
        unread = unread + (NEW.read_at IS NULL) - (OLD.read_at IS NULL),
        unseen = unseen + (NEW.seen_at IS NULL) - (OLD.seen_at IS NULL)
    WHERE user_id = NEW.user_id AND notification_type = NEW.notification_type;
END;
