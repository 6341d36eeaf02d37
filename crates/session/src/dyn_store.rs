//! The store behind a type-erased handle, so that [`Session`](crate::Session)
//! is one type whatever the store.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::error::StoreError;
use crate::id::SessionId;
use crate::record::{Changes, Record};
use crate::store::SessionStore;
use crate::store::cookie::Seal;

pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub(crate) trait DynStore: Send + Sync {
    fn load<'a>(&'a self, id: &'a SessionId) -> BoxFuture<'a, Result<Option<Record>, StoreError>>;
    fn create<'a>(
        &'a self,
        id: &'a SessionId,
        record: &'a Record,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;
    fn save<'a>(
        &'a self,
        id: &'a SessionId,
        changes: &'a Changes,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    fn delete<'a>(&'a self, id: &'a SessionId) -> BoxFuture<'a, Result<(), StoreError>>;
    fn seal(&self) -> Option<&Seal>;
}

impl<S: SessionStore> DynStore for S {
    fn load<'a>(&'a self, id: &'a SessionId) -> BoxFuture<'a, Result<Option<Record>, StoreError>> {
        Box::pin(SessionStore::load(self, id))
    }

    fn create<'a>(
        &'a self,
        id: &'a SessionId,
        record: &'a Record,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(SessionStore::create(self, id, record, ttl))
    }

    fn save<'a>(
        &'a self,
        id: &'a SessionId,
        changes: &'a Changes,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(SessionStore::save(self, id, changes, ttl))
    }

    fn delete<'a>(&'a self, id: &'a SessionId) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(SessionStore::delete(self, id))
    }

    fn seal(&self) -> Option<&Seal> {
        self.cookie_seal()
    }
}
