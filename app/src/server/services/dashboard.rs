//! The dashboard's figures, scoped to what the principal may see.

use crate::domain::user::{ActivityItem, DashboardSummary};
use crate::domain::Role;
use crate::server::auth::Principal;
use crate::server::db::{Db, Sql};
use crate::server::AppError;

pub async fn dashboard_summary(
    db: &Db,
    principal: &Principal,
) -> Result<DashboardSummary, AppError> {
    let org = &principal.organization_id;
    let (organizations, users, scope) = match principal.role {
        Role::SuperAdmin => (
            Sql::new("SELECT count FROM row_counts WHERE table_name = 'organizations'"),
            Sql::new("SELECT count FROM row_counts WHERE table_name = 'users'"),
            Sql::new(""),
        ),
        Role::Admin => (
            Sql::new(
                "SELECT COUNT(*) FROM organizations WHERE id = $1 OR partner_organization_id = $1",
            )
            .bind(org),
            Sql::new("SELECT COUNT(*) FROM users WHERE organization_id = $1").bind(org),
            Sql::new(" WHERE e.organization_id = $1").bind(org),
        ),
        Role::User => (
            Sql::new("SELECT CAST(1 AS BIGINT)"),
            Sql::new("SELECT COUNT(*) FROM users WHERE organization_id = $1").bind(org),
            Sql::new(" WHERE e.actor_id = $1").bind(&principal.user_id),
        ),
    };
    let recent = Sql {
        text: format!(
            "SELECT e.id, u.email AS actor, e.action, e.target_type, e.target_id, \
             CASE e.target_type WHEN 'organizations' THEN o.name WHEN 'users' THEN tu.email END AS target_name, \
             e.created_at \
             FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id \
             LEFT JOIN organizations o ON e.target_type = 'organizations' AND o.id = e.target_id \
             LEFT JOIN users tu ON e.target_type = 'users' AND tu.id = e.target_id{} \
             ORDER BY e.created_at DESC, e.id DESC LIMIT 10",
            scope.text
        ),
        args: scope.args,
    };
    let (organizations, users, recent) = tokio::try_join!(
        db.fetch_count(&organizations),
        db.fetch_count(&users),
        db.fetch_all::<ActivityItem>(&recent)
    )?;
    Ok(DashboardSummary {
        organizations: organizations.max(0) as u64,
        users: users.max(0) as u64,
        recent,
    })
}
