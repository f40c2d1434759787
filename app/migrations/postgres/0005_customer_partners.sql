-- A customer organization is managed by one partner user: the one who created it, until they hand
-- it over (`PUT /v2/users/{id}/inherit`, `PUT /v2/user/transfer_resources`). The partner
-- organization (`partner_organization_id`) stays what tenancy is decided by; this column says
-- whose customers they are, so a partner can't be deleted or unmade while they still hold some.
-- The other database's twin of this file has the same name.
ALTER TABLE organizations ADD COLUMN partner_user_id TEXT REFERENCES users(id) ON DELETE SET NULL;
CREATE INDEX organizations_partner_user_idx ON organizations (partner_user_id);

-- Customers created before this column: the longest-standing partner of their partner organization.
UPDATE organizations SET partner_user_id = (
    SELECT u.id FROM users u
    WHERE u.organization_id = organizations.partner_organization_id AND u.partner
    ORDER BY u.created_at, u.id
    LIMIT 1
)
WHERE partner_organization_id IS NOT NULL;

