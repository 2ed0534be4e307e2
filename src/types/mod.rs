//! Pure data structures behind the data types: no `Args`, no `Reply`, no keyspace.

pub mod geohash;
pub mod geoindex;
pub mod hash;
pub mod hll;
pub mod indexmap;
pub mod list;
pub mod set;
pub mod stream;
pub mod zset;
