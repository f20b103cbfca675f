//! Principals and the URL layout (RFC 3744, RFC 5397), who may touch what, provisioning of
//! each account's homes, and the `/.well-known/caldav` and `/.well-known/carddav`
//! redirects to the context path (RFC 6764 §5, RFC 5785).

use http::{HeaderMap, HeaderValue, StatusCode, header};

use super::store::{CollectionKind, Content, Tree};
use super::xml::{self, Resp};
use super::{Ctx, DavService};
use crate::faults::Fault;

/// The context path the well-known URIs redirect to.
pub const CONTEXT_PATH: &str = "/dav";
/// Where principals live.
pub const PRINCIPALS: &str = "/dav/principals";
/// Where calendar homes live.
pub const CALENDARS: &str = "/dav/calendars";
/// Where address book homes live.
pub const ADDRESSBOOKS: &str = "/dav/addressbooks";
/// Where WebDAV file homes live.
pub const FILES: &str = "/dav/files";
/// The name of each user's default calendar and address book.
pub const DEFAULT: &str = "default";

/// The user name of an address (its local part).
pub fn user_of(address: &str) -> &str {
    address.split('@').next().unwrap_or(address)
}

/// The principal of `user`.
pub fn principal(user: &str) -> String {
    format!("{PRINCIPALS}/{user}")
}

/// The calendar home of `user`.
pub fn calendar_home(user: &str) -> String {
    format!("{CALENDARS}/{user}")
}

/// The address book home of `user`.
pub fn addressbook_home(user: &str) -> String {
    format!("{ADDRESSBOOKS}/{user}")
}

/// The WebDAV file home of `user`.
pub fn files_home(user: &str) -> String {
    format!("{FILES}/{user}")
}

/// The components a calendar accepts unless MKCALENDAR says otherwise.
pub fn default_components() -> Vec<String> {
    vec!["VEVENT".into(), "VTODO".into(), "VJOURNAL".into()]
}

/// Creates `user`'s principal, homes, default calendar and default address book.
pub fn provision(tree: &mut Tree, user: &str) {
    let plain = || Content::Collection(CollectionKind::Plain);
    for path in [CONTEXT_PATH, PRINCIPALS, CALENDARS, ADDRESSBOOKS, FILES] {
        if !tree.exists(path) {
            tree.put(path, plain());
        }
    }
    tree.put(
        &principal(user),
        Content::Collection(CollectionKind::Principal),
    );
    tree.put(&calendar_home(user), plain());
    tree.put(
        &format!("{}/{DEFAULT}", calendar_home(user)),
        Content::Collection(CollectionKind::Calendar {
            components: default_components(),
        }),
    );
    tree.put(&addressbook_home(user), plain());
    tree.put(
        &format!("{}/{DEFAULT}", addressbook_home(user)),
        Content::Collection(CollectionKind::Addressbook),
    );
    tree.put(&files_home(user), plain());
    super::scheduling::provision(tree, user);
}

/// What the current user may do at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read only: the shared upper levels, other users' principals, one's own homes and
    /// principal themselves (which cannot be deleted or moved).
    Read,
    /// Read and write: below one's own homes.
    Write,
    /// Nothing: another user's homes.
    Denied,
}

/// The owner of a path below one of the homes (`(area, user, depth below the home)`).
pub fn owner_of(path: &str) -> Option<(&str, &str, usize)> {
    let mut segments = path.trim_start_matches('/').split('/');
    if segments.next()? != "dav" {
        return None;
    }
    let area = segments.next()?;
    if !matches!(area, "principals" | "calendars" | "addressbooks" | "files") {
        return None;
    }
    let user = segments.next()?;
    Some((area, user, segments.count()))
}

/// What `ctx`'s user may do at `path`.
pub fn access(ctx: &Ctx, path: &str) -> Access {
    let Some((area, user, below)) = owner_of(path) else {
        return Access::Read;
    };
    if user != ctx.user {
        if area == "principals" || ctx.fault(Fault::DavNoAccessControl) {
            return if ctx.fault(Fault::DavNoAccessControl) {
                Access::Write
            } else {
                Access::Read
            };
        }
        return Access::Denied;
    }
    if area == "principals" || below == 0 {
        // The home itself: PROPPATCH and new members are fine, deleting it is not; the
        // write methods check that themselves through `is_home`.
        return if area == "principals" {
            Access::Read
        } else {
            Access::Write
        };
    }
    Access::Write
}

/// Whether `path` is a home or above (never deleted, moved or replaced).
pub fn is_protected_collection(path: &str) -> bool {
    match owner_of(path) {
        Some((_, _, below)) => below == 0,
        None => true,
    }
}

/// Whether `ctx`'s user may see `path` in a listing.
pub fn visible(ctx: &Ctx, path: &str) -> bool {
    access(ctx, path) != Access::Denied
}

/// The answer to a well-known URI, when `raw_path` is one.
pub fn well_known(service: &DavService, raw_path: &str, headers: &HeaderMap) -> Option<Resp> {
    let path = raw_path.trim_end_matches('/');
    if path != "/.well-known/caldav" && path != "/.well-known/carddav" {
        return None;
    }
    if service.faults.has(Fault::DavWellKnownMissing) {
        return Some(xml::plain(StatusCode::NOT_FOUND, "not found\n"));
    }
    if let Some(resp) = super::caldav_faults::well_known(service) {
        return Some(resp);
    }
    let context = super::caldav_faults::well_known_target(service)
        .map_or_else(|| format!("{CONTEXT_PATH}/"), str::to_owned);
    let location = match headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
        Some(host) => format!("https://{host}{context}"),
        None => context,
    };
    let mut resp = xml::empty(StatusCode::MOVED_PERMANENTLY);
    if let Ok(value) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, value);
    }
    Some(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_and_owners() {
        assert_eq!(user_of("alice@example.test"), "alice");
        assert_eq!(
            owner_of("/dav/calendars/alice/default/x.ics"),
            Some(("calendars", "alice", 2))
        );
        assert_eq!(
            owner_of("/dav/calendars/alice"),
            Some(("calendars", "alice", 0))
        );
        assert_eq!(owner_of("/dav/calendars"), None);
        assert_eq!(owner_of("/other/alice"), None);
        assert!(is_protected_collection("/dav/files/alice"));
        assert!(!is_protected_collection("/dav/files/alice/x"));
        let mut tree = Tree::new();
        provision(&mut tree, "alice");
        assert!(tree.exists("/dav/calendars/alice/default"));
        assert!(tree.exists("/dav/addressbooks/alice/default"));
        assert!(tree.exists("/dav/principals/alice"));
        assert!(tree.exists("/dav/files/alice"));
    }
}
