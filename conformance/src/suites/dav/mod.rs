//! What every DAV suite (WebDAV, CalDAV, CardDAV, DAV discovery) shares: an authenticated
//! session over the engine's HTTP client with request builders for the DAV methods, response
//! bodies decoded through `groupwire-dav` ([`DavReply`]), multistatus navigation
//! ([`MultistatusExt`]), precondition checks on error bodies ([`expect_condition`]),
//! principal discovery, a per-run test collection fixture ([`TestCollection`]) and the
//! cleanup and probe the suites plug into their [`crate::engine::Suite`].
//!
//! A check typically reads:
//!
//! ```ignore
//! let mut dav = DavSession::open(&cx)?;                    // account 0, the check's endpoint
//! let col = TestCollection::create(&mut dav, "webdav.mkcol.creates", "a").await?;
//! let reply = dav.put(&col.child("x.txt"), "text/plain", b"hello".to_vec()).await?;
//! ensure(reply.status() == 201, "201 Created", || reply.summary())?;
//! let reply = dav.propfind(&col.path, Depth::One, &props(&[Dav::GetEtag.into()])).await?;
//! let ms = reply.multistatus()?;                           // violation when not a 207 body
//! let etag = ms.prop(&col.child("x.txt"), &Dav::GetEtag.into());
//! col.remove(&mut dav).await;
//! ```

pub mod session;

pub use session::{
    CollectionKind, DavReply, DavSession, MultistatusExt, PropOutcome, TestCollection,
    cleanup_under, dav_classes, expect_condition, href_path, join, prop_names, props, same_path,
};
