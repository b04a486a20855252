//! A store handle that can only read: what a context hands out when its writes
//! must pass one place (ARM's `Cloud::commit`, which keeps the RBAC index in
//! step with what it wrote).

use crate::{Doc, RawDoc, Store, StoreError};

#[derive(Clone, Copy)]
pub struct ReadOnly<'a>(&'a dyn Store);

impl<'a> ReadOnly<'a> {
    pub fn new(store: &'a dyn Store) -> Self {
        Self(store)
    }

    pub async fn get(&self, coll: &str, key: &str) -> Result<Option<Doc>, StoreError> {
        self.0.get(coll, key).await
    }

    pub async fn get_raw(&self, coll: &str, key: &str) -> Result<Option<RawDoc>, StoreError> {
        self.0.get_raw(coll, key).await
    }

    pub async fn etag(&self, coll: &str, key: &str) -> Result<Option<String>, StoreError> {
        self.0.etag(coll, key).await
    }

    pub async fn list(&self, coll: &str, prefix: &str) -> Result<Vec<Doc>, StoreError> {
        self.0.list(coll, prefix).await
    }

    pub async fn list_page(
        &self,
        coll: &str,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Doc>, StoreError> {
        self.0.list_page(coll, prefix, after, limit).await
    }

    pub async fn count(&self, coll: &str, prefix: &str) -> Result<u64, StoreError> {
        self.0.count(coll, prefix).await
    }

    pub async fn revision(&self) -> Result<u64, StoreError> {
        self.0.revision().await
    }

    pub async fn list_at(
        &self,
        coll: &str,
        prefix: &str,
    ) -> Result<(Vec<RawDoc>, u64), StoreError> {
        self.0.list_at(coll, prefix).await
    }

    pub async fn changes(
        &self,
        coll: &str,
        after: u64,
        limit: usize,
    ) -> Result<crate::Changes, StoreError> {
        self.0.changes(coll, after, limit).await
    }

    /// "sqlite", "postgres" or "memory".
    pub fn backend(&self) -> &'static str {
        self.0.backend()
    }
}
