-- Exact row counts kept by triggers, so an unfiltered list's total (and the dashboard) doesn't
-- count 100k rows on every request.
CREATE TABLE row_counts (
    table_name TEXT PRIMARY KEY NOT NULL,
    count      INTEGER NOT NULL
);
INSERT INTO row_counts (table_name, count) SELECT 'organizations', COUNT(*) FROM organizations;
INSERT INTO row_counts (table_name, count) SELECT 'users', COUNT(*) FROM users;

CREATE TRIGGER organizations_count_ai AFTER INSERT ON organizations BEGIN
    UPDATE row_counts SET count = count + 1 WHERE table_name = 'organizations';
END;
CREATE TRIGGER organizations_count_ad AFTER DELETE ON organizations BEGIN
    UPDATE row_counts SET count = count - 1 WHERE table_name = 'organizations';
END;
CREATE TRIGGER users_count_ai AFTER INSERT ON users BEGIN
    UPDATE row_counts SET count = count + 1 WHERE table_name = 'users';
END;
CREATE TRIGGER users_count_ad AFTER DELETE ON users BEGIN
    UPDATE row_counts SET count = count - 1 WHERE table_name = 'users';
END;
