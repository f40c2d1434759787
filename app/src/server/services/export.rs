//! Streamed exports (CSV) that never hold the pool hostage to a slow client.
//!
//! Rows are read by a task of their own into a bounded buffer, and the response body drains that
//! buffer. A client that stops reading fills the buffer; the reader then waits at most
//! `stall_timeout` before it gives up and returns its connection. And only a few exports may hold a
//! connection at once (`ExportBudget`), so the rest of the pool always serves everyone else: three
//! clients that never read used to take all three SQLite connections and every other request
//! answered 500.

use crate::server::db::{Backend, Db, Row, Sql};
use crate::server::AppError;
use futures::{Stream, TryStreamExt};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};

/// Rows buffered between the database and a client; enough to keep a reading client busy.
const BUFFERED_ROWS: usize = 256;
/// How long a new export waits for one of the permits before it is told to come back.
const PERMIT_WAIT: Duration = Duration::from_secs(5);

/// How many exports may read at once, and how long one may wait on a client that doesn't read.
#[derive(Clone, Debug)]
pub struct ExportBudget {
    permits: Arc<Semaphore>,
    stall_timeout: Duration,
}

impl ExportBudget {
    /// One export at a time on SQLite (its pool has three connections), four on PostgreSQL (16).
    pub fn for_db(db: &Db, stall_timeout: Duration) -> ExportBudget {
        let permits = match db.backend() {
            Backend::Sqlite => 1,
            Backend::Postgres => 4,
        };
        ExportBudget {
            permits: Arc::new(Semaphore::new(permits)),
            stall_timeout,
        }
    }

    async fn acquire(&self) -> Result<OwnedSemaphorePermit, AppError> {
        match tokio::time::timeout(PERMIT_WAIT, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(AppError::TooManyRequests {
                message: "Other exports are running right now. Try again in a moment.".into(),
                retry_after_secs: PERMIT_WAIT.as_secs(),
            }),
        }
    }
}

/// Every row of `sql`, streamed. Waits for an export permit first (429 when none frees up).
pub async fn stream_rows<T: Row + 'static>(
    db: Db,
    budget: &ExportBudget,
    sql: Sql,
) -> Result<impl Stream<Item = Result<T, AppError>> + Send + 'static, AppError> {
    let permit = budget.acquire().await?;
    let stall_timeout = budget.stall_timeout;
    let (sender, receiver) = mpsc::channel::<Result<T, AppError>>(BUFFERED_ROWS);
    tokio::spawn(async move {
        let _permit = permit;
        let outcome = read_into(&db, &sql, &sender, stall_timeout).await;
        if let Err(err) = outcome {
            // The client sees the body end early; the log has why.
            let _ = tokio::time::timeout(stall_timeout, sender.send(Err(err))).await;
        }
    });
    Ok(futures::stream::unfold(
        receiver,
        |mut receiver| async move { receiver.recv().await.map(|item| (item, receiver)) },
    ))
}

async fn read_into<T: Row>(
    db: &Db,
    sql: &Sql,
    sender: &mpsc::Sender<Result<T, AppError>>,
    stall_timeout: Duration,
) -> Result<(), AppError> {
    let mut conn = db.conn().await?;
    let mut exec = conn.exec();
    let mut rows = exec.fetch_stream::<T>(sql);
    while let Some(row) = rows.try_next().await? {
        match tokio::time::timeout(stall_timeout, sender.send(Ok(row))).await {
            Ok(Ok(())) => {}
            // The client went away: stop reading.
            Ok(Err(_)) => return Ok(()),
            Err(_) => {
                tracing::warn!(
                    stall_secs = stall_timeout.as_secs_f64(),
                    "export abandoned: the client stopped reading"
                );
                return Ok(());
            }
        }
    }
    Ok(())
}
