//! The ArchAstro code generator as a library: load an OpenAPI document ([`load`]), normalize it
//! into scope families ([`normalize`], configured by [`families`]), generate the client crate ([`client`]), and write or check the
//! output tree ([`regen`], [`output`]); `cargo xtask` is a thin front end over this crate.

pub mod client;
pub mod contract;
pub mod diff;
pub mod doc_text;
pub mod error;
pub mod examples;
pub mod families;
pub mod fetch;
pub mod format;
pub mod jobs;
pub mod load;
pub mod model;
pub mod names;
pub mod normalize;
mod options;
pub mod output;
pub mod pattern;
pub mod pointer;
pub mod regen;
pub mod release;
pub mod report;
pub mod server;
pub mod stamp;
mod tokens;
pub mod unmapped;

pub use error::{Error, Result};
