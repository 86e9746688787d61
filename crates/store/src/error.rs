use thiserror::Error;

/// What can go wrong below the domain: the caller maps `NotFound`, `Stale` and
/// `Unique` to answers, the rest to a logged internal error.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The row changed since it was read (optimistic concurrency).
    #[error("the record changed since it was read")]
    Stale,
    /// A unique constraint refused the write.
    #[error("duplicate value for {0}")]
    Unique(String),
    #[error("configuration: {0}")]
    Config(String),
    #[error("stored data could not be read: {0}")]
    Decode(String),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e
            && db.is_unique_violation()
        {
            let what = db
                .constraint()
                .map(str::to_owned)
                .unwrap_or_else(|| db.message().to_owned());
            return StoreError::Unique(what);
        }
        StoreError::Database(e)
    }
}
