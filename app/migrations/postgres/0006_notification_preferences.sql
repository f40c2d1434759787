-- Notification preferences (API.md §5). A user's row holds only what they chose: NULL follows
-- their organization's default, so a changed default reaches everyone who hasn't chosen and
-- nobody's choice is overwritten. The effective preference is computed on read (the domain's
-- `notification::effective`). The SQLite twin of this file has the same name under ../sqlite.
CREATE TABLE notification_preferences (
    id          TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name        TEXT NOT NULL CHECK (name IN ('scan_event', 'report_event', 'exception_event', 'overdue_pci_reminder')),
    enabled     BOOLEAN,
    -- JSON: {"when_status": [...], "if_completed": [...], "if_severity": [...]}
    params      TEXT,
    -- JSON: {"email": bool, "in_app": bool}
    channels    TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, name)
);

-- An organization's default for each preference; no row is "off, no params, not locked".
CREATE TABLE notification_defaults (
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name            TEXT NOT NULL CHECK (name IN ('scan_event', 'report_event', 'exception_event', 'overdue_pci_reminder')),
    enabled         BOOLEAN NOT NULL,
    params          TEXT NOT NULL,
    locked          BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (organization_id, name)
);
