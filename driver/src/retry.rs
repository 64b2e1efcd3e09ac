//! Transactions that retry: [`Connection::transaction_with_retry`] runs a closure in a
//! transaction and runs it again, in a new transaction, when PostgreSQL gives up on it for a
//! reason that a second try can fix: a serialization failure (SQLSTATE 40001, which
//! `SERIALIZABLE` and `REPEATABLE READ` transactions must expect) or a deadlock (40P01). Any
//! other error is returned at once.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::connection::Connection;
use crate::error::{Error, Result, SqlState};
use crate::pool::Pool;
use crate::transaction::{IsolationLevel, Transaction, TransactionBuilder};

/// How [`Connection::transaction_with_retry`] runs and retries: the transaction's options, how
/// many attempts at most, and the pause between them (exponential, with full jitter).
///
/// ```
/// use std::time::Duration;
/// use quarry_driver::{IsolationLevel, RetryPolicy};
///
/// let policy = RetryPolicy::new()
///     .isolation(IsolationLevel::Serializable)
///     .attempts(10)
///     .backoff(Duration::from_millis(2), Duration::from_millis(200));
/// assert_eq!(policy.get_attempts(), 10);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    attempts: u32,
    first_pause: Duration,
    max_pause: Duration,
    isolation: Option<IsolationLevel>,
    read_only: Option<bool>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 5,
            first_pause: Duration::from_millis(5),
            max_pause: Duration::from_millis(500),
            isolation: None,
            read_only: None,
        }
    }
}

impl RetryPolicy {
    /// The defaults: at most 5 attempts, pauses from 5 ms doubling up to 500 ms, the server's
    /// default isolation level.
    ///
    /// ```
    /// assert_eq!(quarry_driver::RetryPolicy::new().get_attempts(), 5);
    /// ```
    pub fn new() -> Self {
        RetryPolicy::default()
    }

    /// Runs the closure at most `attempts` times in all (at least once).
    ///
    /// ```
    /// let once = quarry_driver::RetryPolicy::new().attempts(1); // no retry
    /// assert_eq!(once.get_attempts(), 1);
    /// ```
    #[must_use]
    pub fn attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts.max(1);
        self
    }

    /// The pause before the second attempt, doubled before each later one up to `max`; each
    /// pause is drawn at random between zero and that bound, so that transactions that
    /// collided once do not collide again in step.
    ///
    /// ```
    /// use std::time::Duration;
    /// let policy = quarry_driver::RetryPolicy::new()
    ///     .backoff(Duration::from_millis(1), Duration::from_millis(50));
    /// ```
    #[must_use]
    pub fn backoff(mut self, first: Duration, max: Duration) -> Self {
        self.first_pause = first;
        self.max_pause = max.max(first);
        self
    }

    /// The transactions' isolation level (`SERIALIZABLE` is the usual reason to retry).
    ///
    /// ```
    /// use quarry_driver::{IsolationLevel, RetryPolicy};
    /// let policy = RetryPolicy::new().isolation(IsolationLevel::Serializable);
    /// ```
    #[must_use]
    pub fn isolation(mut self, level: IsolationLevel) -> Self {
        self.isolation = Some(level);
        self
    }

    /// `READ ONLY` (true) or `READ WRITE` (false) transactions.
    ///
    /// ```
    /// let policy = quarry_driver::RetryPolicy::new().read_only(true);
    /// ```
    #[must_use]
    pub fn read_only(mut self, on: bool) -> Self {
        self.read_only = Some(on);
        self
    }

    /// The most attempts made.
    pub fn get_attempts(&self) -> u32 {
        self.attempts
    }

    /// The longest pause before attempt `next` (2 for the first retry).
    fn pause_bound(&self, next: u32) -> Duration {
        let doublings = next.saturating_sub(2).min(30);
        self.first_pause
            .saturating_mul(1 << doublings)
            .min(self.max_pause)
    }

    fn builder<'c>(&self, conn: &'c mut Connection) -> TransactionBuilder<&'c mut Connection> {
        let mut builder = TransactionBuilder::new(conn);
        if let Some(level) = self.isolation {
            builder = builder.isolation(level);
        }
        if let Some(on) = self.read_only {
            builder = builder.read_only(on);
        }
        builder
    }
}

/// The future a [`Connection::transaction_with_retry`] closure returns: its work in the
/// transaction it is given, boxed (`Box::pin(async move { ... })`) so that it may borrow the
/// transaction and still be `Send`, as a spawned task needs.
pub type TransactionFuture<'t, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 't>>;

/// Whether a second attempt can succeed where this one failed.
fn is_retryable(error: &Error) -> bool {
    matches!(
        error.code(),
        Some(SqlState::SerializationFailure | SqlState::DeadlockDetected)
    )
}

impl Connection {
    /// Runs `work` in a transaction and commits; when the transaction fails with a
    /// serialization failure (40001) or a deadlock (40P01) — in `work` or at the commit — rolls
    /// it back and runs `work` again in a new one, up to the policy's attempts, pausing between
    /// them. Other errors are returned at once; after the last attempt, its error is.
    ///
    /// **`work` may run more than once**: keep effects outside the database (sending mail,
    /// incrementing counters in memory) out of it, or make them idempotent. Everything it does
    /// in the database through `tx` is rolled back before it runs again. Inside an open
    /// transaction this runs once, as a savepoint without the policy's options (they belong to
    /// the outer transaction): a serialization failure dooms the outer transaction, so only
    /// retrying the outer one can help.
    ///
    /// The closure returns its work boxed ([`TransactionFuture`]): `|tx| Box::pin(async move {
    /// ... })`.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// use quarry_driver::{IsolationLevel, RetryPolicy};
    /// let policy = RetryPolicy::new().isolation(IsolationLevel::Serializable);
    /// let balance: i64 = conn
    ///     .transaction_with_retry(&policy, |tx| Box::pin(async move {
    ///         let balance: i64 = tx.fetch_val("SELECT balance FROM accounts WHERE id = 1", &[]).await?;
    ///         tx.execute("UPDATE accounts SET balance = $1 WHERE id = 1", &[&(balance - 10)]).await?;
    ///         Ok(balance - 10)
    ///     }))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn transaction_with_retry<T, F>(
        &mut self,
        policy: &RetryPolicy,
        mut work: F,
    ) -> Result<T>
    where
        F: for<'t> FnMut(&'t mut Transaction<&mut Connection>) -> TransactionFuture<'t, T>,
    {
        let retries = self.tx_depth() == 0;
        let mut attempt = 1;
        loop {
            match self.attempt_transaction(policy, &mut work).await {
                Err(e) if retries && attempt < policy.attempts && is_retryable(&e) => {
                    attempt += 1;
                    let bound = policy.pause_bound(attempt);
                    let mut rng = rand::TryRngCore::unwrap_err(rand::rngs::OsRng);
                    let pause = rand::Rng::random_range(&mut rng, Duration::ZERO..=bound);
                    tracing::debug!(target: "quarry", attempt, ?pause, "transaction retried: {e}");
                    tokio::time::sleep(pause).await;
                }
                outcome => return outcome,
            }
        }
    }

    async fn attempt_transaction<T, F>(&mut self, policy: &RetryPolicy, work: &mut F) -> Result<T>
    where
        F: for<'t> FnMut(&'t mut Transaction<&mut Connection>) -> TransactionFuture<'t, T>,
    {
        // Inside an open transaction the options are the outer transaction's business: a
        // savepoint takes none (SET TRANSACTION would change the caller's transaction).
        let builder = if self.tx_depth() == 0 {
            policy.builder(self)
        } else {
            TransactionBuilder::new(self)
        };
        let mut tx = builder.start().await?;
        match work(&mut tx).await {
            Ok(value) => {
                tx.commit().await?;
                Ok(value)
            }
            Err(e) => {
                // Rolled back now, so the next attempt starts on a clean connection; when even
                // that fails (a lost connection), the work's error is the one to report.
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    }
}

impl Pool {
    /// [`Connection::transaction_with_retry`] on one of the pool's connections (every attempt
    /// on the same one).
    ///
    /// ```no_run
    /// # async fn demo(pool: quarry_driver::Pool) -> quarry_driver::Result<()> {
    /// use quarry_driver::{IsolationLevel, RetryPolicy};
    /// let policy = RetryPolicy::new().isolation(IsolationLevel::Serializable);
    /// pool.transaction_with_retry(&policy, |tx| Box::pin(async move {
    ///     tx.execute("UPDATE counters SET n = n + 1 WHERE id = 1", &[]).await?;
    ///     Ok(())
    /// }))
    /// .await?;
    /// # Ok(()) }
    /// ```
    pub async fn transaction_with_retry<T, F>(&self, policy: &RetryPolicy, work: F) -> Result<T>
    where
        F: for<'t> FnMut(&'t mut Transaction<&mut Connection>) -> TransactionFuture<'t, T>,
    {
        let mut conn = self.acquire().await?;
        conn.transaction_with_retry(policy, work).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_up_to_the_maximum() {
        let policy =
            RetryPolicy::new().backoff(Duration::from_millis(5), Duration::from_millis(30));
        let bounds: Vec<u128> = (2..7).map(|n| policy.pause_bound(n).as_millis()).collect();
        assert_eq!(bounds, [5, 10, 20, 30, 30]);
        assert_eq!(RetryPolicy::new().attempts(0).get_attempts(), 1);
        let huge = RetryPolicy::new().backoff(Duration::from_secs(1), Duration::MAX);
        assert!(huge.pause_bound(u32::MAX) >= Duration::from_secs(1));
    }
}
