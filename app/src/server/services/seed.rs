//! `steward seed`: deterministic demo data in bulk. Rows are inserted many per statement inside
//! large transactions (100k organizations and 200k users take seconds, not minutes). Ids and names
//! derive from the row number, so a second run with the same sizes adds nothing.

use super::search_index;
use crate::server::auth::password;
use crate::server::db::{Db, Sql};
use crate::server::AppError;
use chrono::{DateTime, Duration, TimeZone, Utc};

/// The demo password of every seeded user.
pub const SEED_PASSWORD: &str = "password123";

const BRANDS: [&str; 40] = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark",
    "Wayne",
    "Wonka",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Vandelay",
    "Pied Piper",
    "Massive Dynamic",
    "Aperture",
    "Black Mesa",
    "Monarch",
    "Oscorp",
    "Gringotts",
    "Dunder Mifflin",
    "Prestige",
    "Nakatomi",
    "Gekko",
    "Virtucon",
    "Kramerica",
    "Bluth",
    "Sterling",
    "Cogswell",
    "Spacely",
    "Krusty",
    "Duff",
    "Sirius",
    "Weyland",
    "Yoyodyne",
    "Zorg",
    "Omni",
    "Rekall",
    "Tessier",
    "Ashtree",
    "Blamco",
];
const SECTORS: [&str; 12] = [
    "Industries",
    "Labs",
    "Systems",
    "Holdings",
    "Logistics",
    "Foods",
    "Security",
    "Health",
    "Energy",
    "Media",
    "Robotics",
    "Finance",
];
const SUFFIXES: [&str; 5] = ["Inc", "LLC", "GmbH", "Ltd", "SA"];
const PLACES: [(&str, &str); 8] = [
    ("US", "New York"),
    ("DE", "Berlin"),
    ("GB", "London"),
    ("FR", "Paris"),
    ("NL", "Amsterdam"),
    ("JP", "Tokyo"),
    ("BR", "Sao Paulo"),
    ("CA", "Toronto"),
];
const FIRST_NAMES: [&str; 10] = [
    "Ada", "Grace", "Alan", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Radia", "Edsger",
];
const LAST_NAMES: [&str; 10] = [
    "Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson",
    "Perlman", "Dijkstra",
];

/// Deterministic ids: the row number in a UUID-shaped string.
fn seed_id(kind: u32, n: u64) -> String {
    uuid::Uuid::from_u128((0x5eed_u128 << 112) | (u128::from(kind) << 96) | u128::from(n))
        .to_string()
}

fn created_at(n: u64) -> DateTime<Utc> {
    let start = Utc
        .with_ymd_and_hms(2023, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_else(Utc::now);
    start + Duration::seconds((n as i64) * 317)
}

pub struct SeedReport {
    pub organizations: u64,
    pub users: u64,
}

pub async fn seed(db: &Db, organizations: u64, users: u64) -> Result<SeedReport, AppError> {
    // One hash for everyone: Argon2 per row would take hours, and they share the demo password.
    let hash = password::hash(SEED_PASSWORD.to_string()).await?;
    const ORG_BATCH: u64 = 500;
    const USER_BATCH: u64 = 1000;
    const COMMIT_EVERY: u64 = 20_000;

    let mut done = 0;
    while done < organizations {
        let mut tx = db.begin().await?;
        let end = (done + COMMIT_EVERY).min(organizations);
        while done < end {
            let batch_end = (done + ORG_BATCH).min(end);
            let mut sql = Sql::new(
                "INSERT INTO organizations (id, name, company_name, city, country, email, website, lock_version, created_at, updated_at) VALUES ",
            );
            for n in done..batch_end {
                let brand = BRANDS[(n % BRANDS.len() as u64) as usize];
                let sector = SECTORS[((n / BRANDS.len() as u64) % SECTORS.len() as u64) as usize];
                let suffix = SUFFIXES[(n % SUFFIXES.len() as u64) as usize];
                let (country, city) = PLACES[(n % PLACES.len() as u64) as usize];
                let slug = format!("{}-{}", brand.to_lowercase().replace(' ', "-"), n);
                let at = created_at(n);
                if n > done {
                    sql.push(", ");
                }
                sql.push("(")
                    .push_bind(seed_id(1, n))
                    .push(", ")
                    .push_bind(format!("{brand} {sector} {n}"))
                    .push(", ")
                    .push_bind(format!("{brand} {sector} {suffix}"))
                    .push(", ")
                    .push_bind(city)
                    .push(", ")
                    .push_bind(country)
                    .push(", ")
                    .push_bind(format!("contact@{slug}.example"))
                    .push(", ")
                    .push_bind(format!("https://{slug}.example"))
                    .push(", 1, ")
                    .push_bind(at)
                    .push(", ")
                    .push_bind(at)
                    .push(")");
            }
            sql.push(" ON CONFLICT DO NOTHING");
            tx.exec().execute(&sql).await?;
            done = batch_end;
        }
        tx.commit().await?;
    }
    search_index::fill(db).await?;

    let mut done = 0;
    while organizations > 0 && done < users {
        let mut tx = db.begin().await?;
        let end = (done + COMMIT_EVERY).min(users);
        while done < end {
            let batch_end = (done + USER_BATCH).min(end);
            let mut sql = Sql::new(
                "INSERT INTO users (id, organization_id, email, username, password_hash, role, first_name, last_name, \
                 confirmed_at, created_at, updated_at) VALUES ",
            );
            for n in done..batch_end {
                let organization = n % organizations;
                // The first user of each organization administers it.
                let role = if n < organizations { "Admin" } else { "User" };
                let at = created_at(n);
                if n > done {
                    sql.push(", ");
                }
                sql.push("(")
                    .push_bind(seed_id(2, n))
                    .push(", ")
                    .push_bind(seed_id(1, organization))
                    .push(", ")
                    .push_bind(format!("user{n}@seed.example"))
                    .push(", ")
                    .push_bind(format!("user{n}"))
                    .push(", ")
                    .push_bind(hash.as_str())
                    .push(", ")
                    .push_bind(role)
                    .push(", ")
                    .push_bind(FIRST_NAMES[(n % 10) as usize])
                    .push(", ")
                    .push_bind(LAST_NAMES[((n / 10) % 10) as usize])
                    .push(", ")
                    .push_bind(at)
                    .push(", ")
                    .push_bind(at)
                    .push(", ")
                    .push_bind(at)
                    .push(")");
            }
            sql.push(" ON CONFLICT DO NOTHING");
            tx.exec().execute(&sql).await?;
            done = batch_end;
        }
        tx.commit().await?;
    }
    Ok(SeedReport {
        organizations,
        users: if organizations > 0 { users } else { 0 },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_deterministic_uuids() {
        assert_eq!(seed_id(1, 7), seed_id(1, 7));
        assert_ne!(seed_id(1, 7), seed_id(2, 7));
        assert!(uuid::Uuid::parse_str(&seed_id(1, 7)).is_ok());
    }
}
