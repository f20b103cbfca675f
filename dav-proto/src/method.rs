//! HTTP methods WebDAV, CalDAV and CardDAV add (PROPFIND, PROPPATCH, MKCOL, MKCALENDAR,
//! COPY, MOVE, LOCK, UNLOCK, REPORT, ACL), alongside the plain HTTP ones, as
//! [`http::Method`] values.

use http::Method;

/// A request method a DAV server handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum DavMethod {
    /// `OPTIONS`.
    Options,
    /// `GET`.
    Get,
    /// `HEAD`.
    Head,
    /// `POST` (CalDAV scheduling outbox).
    Post,
    /// `PUT`.
    Put,
    /// `DELETE`.
    Delete,
    /// `PROPFIND` (RFC 4918).
    Propfind,
    /// `PROPPATCH` (RFC 4918).
    Proppatch,
    /// `MKCOL` (RFC 4918, extended by RFC 5689).
    Mkcol,
    /// `MKCALENDAR` (RFC 4791).
    Mkcalendar,
    /// `COPY` (RFC 4918).
    Copy,
    /// `MOVE` (RFC 4918).
    Move,
    /// `LOCK` (RFC 4918).
    Lock,
    /// `UNLOCK` (RFC 4918).
    Unlock,
    /// `REPORT` (RFC 3253).
    Report,
    /// `ACL` (RFC 3744).
    Acl,
}

impl DavMethod {
    /// Every method.
    pub const ALL: [DavMethod; 16] = [
        DavMethod::Options,
        DavMethod::Get,
        DavMethod::Head,
        DavMethod::Post,
        DavMethod::Put,
        DavMethod::Delete,
        DavMethod::Propfind,
        DavMethod::Proppatch,
        DavMethod::Mkcol,
        DavMethod::Mkcalendar,
        DavMethod::Copy,
        DavMethod::Move,
        DavMethod::Lock,
        DavMethod::Unlock,
        DavMethod::Report,
        DavMethod::Acl,
    ];

    /// The method name as sent on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            DavMethod::Options => "OPTIONS",
            DavMethod::Get => "GET",
            DavMethod::Head => "HEAD",
            DavMethod::Post => "POST",
            DavMethod::Put => "PUT",
            DavMethod::Delete => "DELETE",
            DavMethod::Propfind => "PROPFIND",
            DavMethod::Proppatch => "PROPPATCH",
            DavMethod::Mkcol => "MKCOL",
            DavMethod::Mkcalendar => "MKCALENDAR",
            DavMethod::Copy => "COPY",
            DavMethod::Move => "MOVE",
            DavMethod::Lock => "LOCK",
            DavMethod::Unlock => "UNLOCK",
            DavMethod::Report => "REPORT",
            DavMethod::Acl => "ACL",
        }
    }

    /// The method with this name (case-sensitive, as HTTP methods are).
    pub fn from_name(name: &[u8]) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str().as_bytes() == name)
    }

    /// The method as an [`http::Method`].
    pub fn to_http(self) -> Method {
        match self {
            DavMethod::Options => Method::OPTIONS,
            DavMethod::Get => Method::GET,
            DavMethod::Head => Method::HEAD,
            DavMethod::Post => Method::POST,
            DavMethod::Put => Method::PUT,
            DavMethod::Delete => Method::DELETE,
            // Extension method names are valid tokens, so this cannot fail; fall back to
            // OPTIONS rather than panic if it ever did.
            other => Method::from_bytes(other.as_str().as_bytes()).unwrap_or(Method::OPTIONS),
        }
    }

    /// Whether requests with this method carry an XML body the crate decodes.
    pub const fn has_xml_body(self) -> bool {
        matches!(
            self,
            DavMethod::Propfind
                | DavMethod::Proppatch
                | DavMethod::Mkcol
                | DavMethod::Mkcalendar
                | DavMethod::Lock
                | DavMethod::Report
                | DavMethod::Acl
        )
    }
}

impl From<DavMethod> for Method {
    fn from(m: DavMethod) -> Method {
        m.to_http()
    }
}

impl TryFrom<&Method> for DavMethod {
    type Error = ();

    /// Fails for methods DAV does not define.
    fn try_from(m: &Method) -> Result<Self, ()> {
        DavMethod::from_name(m.as_str().as_bytes()).ok_or(())
    }
}

impl std::fmt::Display for DavMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
