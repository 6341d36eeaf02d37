//! Where sessions live: the [`SessionStore`] trait and its stores.

use std::future::Future;
use std::time::Duration;

use crate::error::StoreError;
use crate::id::SessionId;
use crate::record::{Changes, Record};

pub mod cookie;
pub mod memory;
#[cfg(feature = "redis")]
pub mod redis;

pub use self::cookie::CookieStore;
pub use self::memory::MemoryStore;
#[cfg(feature = "redis")]
pub use self::redis::RedisStore;

/// A place sessions are kept on the server side, by id.
///
/// Stores keep a session as fields ([`Record`]) and apply a request's
/// [`Changes`] field by field, so that two requests changing different
/// fields of one session both persist. Every operation is given the time
/// left to live (`ttl`), after which the store may forget the session.
pub trait SessionStore: Send + Sync + 'static {
    /// The session under `id`, or `None` when there is none (never created,
    /// deleted or expired).
    fn load(
        &self,
        id: &SessionId,
    ) -> impl Future<Output = Result<Option<Record>, StoreError>> + Send;

    /// Stores `record` under `id` unless `id` exists already, which it
    /// never overwrites: `Ok(false)` then, and the caller picks another id.
    fn create(
        &self,
        id: &SessionId,
        record: &Record,
        ttl: Duration,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Applies `changes` to the session under `id` (only the fields named)
    /// and sets its time to live, as one atomic step.
    fn save(
        &self,
        id: &SessionId,
        changes: &Changes,
        ttl: Duration,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Forgets the session under `id`.
    fn delete(&self, id: &SessionId) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// For [`CookieStore`] only: the session is in the cookie itself, sealed
    /// with these keys, and the other methods are never called.
    #[doc(hidden)]
    fn cookie_seal(&self) -> Option<&cookie::Seal> {
        None
    }
}
