//! XML plumbing shared by every body: element names as enums, the namespace-aware reader, the
//! writer, and raw content.

pub mod names;
pub mod raw;
pub(crate) mod reader;
pub(crate) mod tokenizer;
pub(crate) mod writer;

pub use names::{CalDav, CalendarServer, CardDav, Dav, Name, QualifiedName};
pub use raw::RawXml;
