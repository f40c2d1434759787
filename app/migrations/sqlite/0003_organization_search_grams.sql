-- The ordered search index of organization names (see app/src/server/services/search_index.rs):
-- for every trigram of an organization's name or company name (lowercased), one row keyed in the
-- list's order. A substring search walks one trigram's rows in name order and stops at the page,
-- instead of sorting every match. Kept by the service layer in the same transaction as the change;
-- filled from the organizations at start when empty. The PostgreSQL twin has the same name.
CREATE TABLE organization_search_grams (
    gram            TEXT NOT NULL,
    sort_key        TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    PRIMARY KEY (gram, sort_key, organization_id)
) WITHOUT ROWID;
