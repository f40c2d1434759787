//! `sqlx::migrate!` embeds the migration files when this crate compiles, but cargo doesn't know
//! they are inputs. Without this, adding a migration left an incrementally built server without it,
//! and a database it had already been applied to then refused to start.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
