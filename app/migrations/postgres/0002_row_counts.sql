-- Exact row counts kept by triggers, so an unfiltered list's total (and the dashboard) doesn't
-- count 100k rows on every request.
CREATE TABLE row_counts (
    table_name TEXT PRIMARY KEY,
    count      BIGINT NOT NULL
);
INSERT INTO row_counts (table_name, count) SELECT 'organizations', COUNT(*) FROM organizations;
INSERT INTO row_counts (table_name, count) SELECT 'users', COUNT(*) FROM users;

CREATE FUNCTION row_counts_track() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE row_counts SET count = count + 1 WHERE table_name = TG_TABLE_NAME;
    ELSE
        UPDATE row_counts SET count = count - 1 WHERE table_name = TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER organizations_row_count AFTER INSERT OR DELETE ON organizations
    FOR EACH ROW EXECUTE FUNCTION row_counts_track();
CREATE TRIGGER users_row_count AFTER INSERT OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION row_counts_track();
