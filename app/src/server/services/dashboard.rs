//! The dashboard's figures, scoped to what the principal may see.

use crate::domain::user::{ActivityItem, DashboardSummary};
use crate::domain::Role;
use crate::server::auth::Principal;
use crate::server::db::{Db, Sql};
use crate::server::AppError;
use chrono::{DateTime, Utc};

#[derive(sqlx::FromRow)]
struct ActivityRow {
    id: String,
    actor: Option<String>,
    action: String,
    target_type: String,
    target_id: Option<String>,
    created_at: DateTime<Utc>,
}

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
            "SELECT e.id, u.email AS actor, e.action, e.target_type, e.target_id, e.created_at \
             FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id{} \
             ORDER BY e.created_at DESC, e.id DESC LIMIT 10",
            scope.text
        ),
        args: scope.args,
    };
    let (organizations, users, recent) = tokio::try_join!(
        db.fetch_count(&organizations),
        db.fetch_count(&users),
        db.fetch_all::<ActivityRow>(&recent)
    )?;
    Ok(DashboardSummary {
        organizations: organizations.max(0) as u64,
        users: users.max(0) as u64,
        recent: recent
            .into_iter()
            .map(|r| ActivityItem {
                id: r.id,
                actor: r.actor,
                action: r.action,
                target_type: r.target_type,
                target_id: r.target_id,
                created_at: r.created_at,
            })
            .collect(),
    })
}
