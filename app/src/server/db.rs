//! The database: one enum over SQLite (the embedded default) and PostgreSQL (production), chosen by
//! the `DATABASE_URL` scheme. Queries are written once with `$N` placeholders (both drivers accept
//! them) and bound through `Sql`; the few dialect differences are spelled out where they occur.
//! `sqlx::Any` is avoided on purpose: it loses timestamps and booleans.

use chrono::{DateTime, Utc};
use futures::stream::BoxStream;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};
use sqlx::{FromRow, Postgres, Sqlite, Transaction};
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("DATABASE_URL has an unsupported scheme in '{0}': use sqlite://<file> or postgres://<host>/<db>")]
    UnknownScheme(String),
    #[error("DATABASE_URL is not valid ({url}): {source}")]
    InvalidUrl { url: String, source: sqlx::Error },
    #[error("cannot reach the database at {url}: {source}")]
    Unreachable { url: String, source: sqlx::Error },
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("database migrations failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`, for error lines and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl Db {
    /// Opens the pool and applies the embedded migrations of that backend.
    pub async fn connect(url: &str) -> Result<Db, ConnectError> {
        let shown = redact_url(url);
        let db = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|source| ConnectError::InvalidUrl {
                    url: shown.clone(),
                    source,
                })?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // A 32 MB page cache per connection instead of SQLite's 2 MB: a search touching
                // 2,500 rows drops from 5 ms to under 2 ms. Three connections bound it to 96 MB
                // (bench/run.sh: three at 32 MB beat four at 24 MB or 16 MB on both cores).
                // (mmap was faster still, but every connection's mapping counts in the RSS.)
                .pragma("cache_size", "-32000")
                .pragma("temp_store", "memory");
            let file = options.get_filename();
            if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|source| ConnectError::DataDir {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(3)
                .acquire_timeout(Duration::from_secs(10))
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        let mut handle = conn.lock_handle().await?;
                        // SAFETY: the locked handle is this connection's, used by nothing else
                        // while the lock is held.
                        let rc = unsafe {
                            super::sqlite_fold::register(handle.as_raw_handle().as_ptr())
                        };
                        if rc == libsqlite3_sys::SQLITE_OK {
                            Ok(())
                        } else {
                            Err(sqlx::Error::Protocol(format!(
                                "cannot register {}: SQLite error {rc}",
                                super::sqlite_fold::FUNCTION
                            )))
                        }
                    })
                })
                .connect_with(options)
                .await
                .map_err(|source| ConnectError::Unreachable {
                    url: shown.clone(),
                    source,
                })?;
            sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
            Db::Sqlite(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options =
                PgConnectOptions::from_str(url).map_err(|source| ConnectError::InvalidUrl {
                    url: shown.clone(),
                    source,
                })?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(|source| ConnectError::Unreachable {
                    url: shown.clone(),
                    source,
                })?;
            sqlx::migrate!("./migrations/postgres").run(&pool).await?;
            Db::Postgres(pool)
        } else {
            return Err(ConnectError::UnknownScheme(shown));
        };
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// A write transaction. On SQLite it starts `IMMEDIATE`, taking the write lock up front, so two
    /// writers queue on the busy timeout instead of one failing when it upgrades a read lock.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        self.execute(&Sql::new("SELECT 1")).await.map(|_| ())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }

    /// A pooled connection for a series of reads.
    pub async fn conn(&self) -> Result<Conn, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool) => Conn::Sqlite(pool.acquire().await?),
            Db::Postgres(pool) => Conn::Postgres(pool.acquire().await?),
        })
    }

    pub async fn fetch_all<T: Row>(&self, sql: &Sql) -> Result<Vec<T>, sqlx::Error> {
        self.conn().await?.exec().fetch_all(sql).await
    }

    pub async fn fetch_optional<T: Row>(&self, sql: &Sql) -> Result<Option<T>, sqlx::Error> {
        self.conn().await?.exec().fetch_optional(sql).await
    }

    pub async fn fetch_count(&self, sql: &Sql) -> Result<i64, sqlx::Error> {
        self.conn().await?.exec().fetch_count(sql).await
    }

    pub async fn execute(&self, sql: &Sql) -> Result<u64, sqlx::Error> {
        self.conn().await?.exec().execute(sql).await
    }
}

pub enum Conn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl Conn {
    pub fn exec(&mut self) -> Exec<'_> {
        match self {
            Conn::Sqlite(conn) => Exec::Sqlite(conn),
            Conn::Postgres(conn) => Exec::Postgres(conn),
        }
    }
}

/// An open transaction on either backend. Dropped without `commit`, it rolls back.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub fn exec(&mut self) -> Exec<'_> {
        match self {
            Tx::Sqlite(tx) => Exec::Sqlite(tx),
            Tx::Postgres(tx) => Exec::Postgres(tx),
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }
}

/// A borrowed connection of either backend; every query runs through here.
pub enum Exec<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

/// A row type readable from both backends.
pub trait Row: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{}

/// The text SQLite is given. Numbered placeholders (`$7`) cost SQLite a walk of its list of
/// parameter names each time sqlx binds one, so binding a statement is quadratic in its
/// placeholders: a 500-row INSERT of 12,000 values spent 95% of an import there. When each `$n`
/// appears once and in order, as `push_bind` writes them, they become anonymous `?`s, which bind
/// in order without the walk; any other text (a `$1` used twice) is left as it is.
fn sqlite_text(sql: &Sql) -> std::borrow::Cow<'_, str> {
    let text = sql.text.as_str();
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut next, mut copied, mut i, mut quoted) = (1usize, 0usize, 0usize, false);
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => quoted = !quoted,
            b'$' if !quoted => {
                let digits = bytes[i + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                if digits == 0 {
                    return std::borrow::Cow::Borrowed(text);
                }
                if text[i + 1..i + 1 + digits].parse::<usize>().ok() != Some(next) {
                    return std::borrow::Cow::Borrowed(text);
                }
                out.push_str(&text[copied..i]);
                out.push('?');
                next += 1;
                i += 1 + digits;
                copied = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if next == 1 || next - 1 != sql.args.len() {
        return std::borrow::Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    std::borrow::Cow::Owned(out)
}

/// Binds every argument of a `Sql` onto an sqlx query of a concrete backend.
macro_rules! bind_all {
    ($query:expr, $sql:expr) => {{
        let mut query = $query;
        for arg in &$sql.args {
            query = match arg {
                Arg::Text(v) => query.bind(v.clone()),
                Arg::Int(v) => query.bind(*v),
                Arg::Bool(v) => query.bind(*v),
                Arg::Time(v) => query.bind(*v),
            };
        }
        query
    }};
}

impl Exec<'_> {
    pub fn backend(&self) -> Backend {
        match self {
            Exec::Sqlite(_) => Backend::Sqlite,
            Exec::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn fetch_all<T: Row>(&mut self, sql: &Sql) -> Result<Vec<T>, sqlx::Error> {
        match self {
            Exec::Sqlite(c) => {
                let text = sqlite_text(sql);
                bind_all!(sqlx::query_as::<Sqlite, T>(&text), sql)
                    .fetch_all(&mut **c)
                    .await
            }
            Exec::Postgres(c) => {
                bind_all!(sqlx::query_as::<Postgres, T>(&sql.text), sql)
                    .fetch_all(&mut **c)
                    .await
            }
        }
    }

    pub async fn fetch_optional<T: Row>(&mut self, sql: &Sql) -> Result<Option<T>, sqlx::Error> {
        match self {
            Exec::Sqlite(c) => {
                let text = sqlite_text(sql);
                bind_all!(sqlx::query_as::<Sqlite, T>(&text), sql)
                    .fetch_optional(&mut **c)
                    .await
            }
            Exec::Postgres(c) => {
                bind_all!(sqlx::query_as::<Postgres, T>(&sql.text), sql)
                    .fetch_optional(&mut **c)
                    .await
            }
        }
    }

    /// Rows one at a time, for results too large to collect.
    pub fn fetch_stream<'e, T: Row + 'e>(
        &'e mut self,
        sql: &'e Sql,
    ) -> BoxStream<'e, Result<T, sqlx::Error>> {
        match self {
            Exec::Sqlite(c) => {
                // (Streams read exports: few placeholders, and the text must outlive the stream.)
                bind_all!(sqlx::query_as::<Sqlite, T>(&sql.text), sql).fetch(&mut **c)
            }
            Exec::Postgres(c) => {
                bind_all!(sqlx::query_as::<Postgres, T>(&sql.text), sql).fetch(&mut **c)
            }
        }
    }

    /// A single integer (`SELECT COUNT(*) ...`, `RETURNING n`).
    pub async fn fetch_count(&mut self, sql: &Sql) -> Result<i64, sqlx::Error> {
        match self {
            Exec::Sqlite(c) => {
                let text = sqlite_text(sql);
                bind_all!(sqlx::query_scalar::<Sqlite, i64>(&text), sql)
                    .fetch_one(&mut **c)
                    .await
            }
            Exec::Postgres(c) => {
                bind_all!(sqlx::query_scalar::<Postgres, i64>(&sql.text), sql)
                    .fetch_one(&mut **c)
                    .await
            }
        }
    }

    /// Rows affected.
    pub async fn execute(&mut self, sql: &Sql) -> Result<u64, sqlx::Error> {
        match self {
            Exec::Sqlite(c) => {
                let text = sqlite_text(sql);
                Ok(bind_all!(sqlx::query::<Sqlite>(&text), sql)
                    .execute(&mut **c)
                    .await?
                    .rows_affected())
            }
            Exec::Postgres(c) => Ok(bind_all!(sqlx::query::<Postgres>(&sql.text), sql)
                .execute(&mut **c)
                .await?
                .rows_affected()),
        }
    }
}

/// One bindable value.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Text(Option<String>),
    Int(Option<i64>),
    Bool(Option<bool>),
    Time(Option<DateTime<Utc>>),
}

impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg::Text(Some(v.to_string()))
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Text(Some(v))
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Arg {
        Arg::Text(Some(v.clone()))
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Arg {
        Arg::Text(v.map(str::to_string))
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Arg {
        Arg::Text(v)
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg::Int(Some(v))
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Arg {
        Arg::Bool(Some(v))
    }
}

impl From<Option<bool>> for Arg {
    fn from(v: Option<bool>) -> Arg {
        Arg::Bool(v)
    }
}
impl From<DateTime<Utc>> for Arg {
    fn from(v: DateTime<Utc>) -> Arg {
        Arg::Time(Some(v))
    }
}
impl From<Option<DateTime<Utc>>> for Arg {
    fn from(v: Option<DateTime<Utc>>) -> Arg {
        Arg::Time(v)
    }
}

/// SQL text with `$N` placeholders and its arguments, in order. Either written whole
/// (`Sql::new("... $1 ...").bind(x)`) or assembled (`push` / `push_bind`).
#[derive(Clone, Debug, Default)]
pub struct Sql {
    pub text: String,
    pub args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: impl Into<String>) -> Sql {
        Sql {
            text: text.into(),
            args: Vec::new(),
        }
    }

    pub fn bind(mut self, arg: impl Into<Arg>) -> Sql {
        self.args.push(arg.into());
        self
    }

    pub fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends the next placeholder (`$N`) and its value.
    pub fn push_bind(&mut self, arg: impl Into<Arg>) -> &mut Sql {
        self.args.push(arg.into());
        self.text.push('$');
        self.text.push_str(&self.args.len().to_string());
        self
    }
}

/// Now, truncated to milliseconds: the precision on the wire, so what is stored is what is shown.
pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut sql = Sql::new("SELECT 1 WHERE a = ");
        sql.push_bind("x").push(" AND b = ").push_bind(2_i64);
        assert_eq!(sql.text, "SELECT 1 WHERE a = $1 AND b = $2");
        assert_eq!(sql.args.len(), 2);
    }

    #[test]
    fn placeholders_used_once_in_order_become_anonymous_for_sqlite() {
        let mut sql = Sql::new("INSERT INTO t (a, b) VALUES (");
        sql.push_bind("x").push(", ").push_bind("it's $2").push(")");
        assert_eq!(sqlite_text(&sql), "INSERT INTO t (a, b) VALUES (?, ?)");
        let literal = Sql::new("SELECT '$1', a FROM t WHERE a = $1").bind("x");
        assert_eq!(sqlite_text(&literal), "SELECT '$1', a FROM t WHERE a = ?");
        // Reused or out of order: numbered as written.
        let twice = Sql::new("SELECT 1 WHERE a = $1 OR b = $1").bind("x");
        assert_eq!(sqlite_text(&twice), twice.text);
        let swapped = Sql::new("SELECT 1 WHERE a = $2 AND b = $1")
            .bind("x")
            .bind("y");
        assert_eq!(sqlite_text(&swapped), swapped.text);
        let short = Sql::new("SELECT 1 WHERE a = $1").bind("x").bind("y");
        assert_eq!(sqlite_text(&short), short.text);
        let none = Sql::new("SELECT 1");
        assert_eq!(sqlite_text(&none), "SELECT 1");
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://app:hunter2@db:5432/steward"),
            "postgres://app:***@db:5432/steward"
        );
        assert_eq!(
            redact_url("sqlite://data/steward.db"),
            "sqlite://data/steward.db"
        );
    }
}
