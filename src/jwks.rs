//! JWK Sets fetched from an issuer: [`KeyStore`] caches a set, refetches it on a schedule and
//! for an unknown `kid` (with a cooldown), and serves [`decode`](crate::decode) as a
//! [`KeySource`](crate::KeySource).

mod store;

pub use store::{AsyncFetch, CachedKeys, Fetch, FetchError, KeyStore, StorePolicy, StoreStatus};
