//! CalDAV and CardDAV actions: `REPORT sync-collection` (RFC 6578) on the user's collection,
//! the request body encoded and the multistatus decoded by `groupwire-dav`; the sync token
//! is kept per user, so the first sync is a full one and later ones are incremental.
//!
//! The collection is `BASE` + the mix's `path` template (`{user}` is the address's local
//! part, `{address}` the whole address), BASE being the target's `caldav` or `carddav` URL;
//! the built-in default `{user}/default/` is the embedded reference's layout.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;
use groupwire_dav::body::{RequestedProp, SyncCollection, SyncLevel};
use groupwire_dav::xml::Dav;
use groupwire_dav::{DavRequest, DavResponse, Decoded, Limits, Name};
use http_body_util::{BodyExt, Full};

use super::accounts::User;
use super::conn::Dialer;

/// Why a DAV action failed.
#[derive(Debug)]
pub struct DavError {
    /// `dav.403`, `dav.507`, `dav.io`, `dav.decode`, `dav.connect`, `dav.tls`, `dav.http`.
    pub kind: String,
    /// What happened.
    pub detail: String,
}

impl DavError {
    /// Whether this is a grammar violation (a body the codec could not decode).
    pub fn is_grammar(&self) -> bool {
        self.kind == "dav.decode"
    }
}

fn http(error: impl std::fmt::Display) -> DavError {
    DavError {
        kind: "dav.http".into(),
        detail: error.to_string(),
    }
}

/// Sync tokens per (user, calendar or address book).
#[derive(Debug, Default)]
pub struct Tokens(Mutex<HashMap<(usize, bool), String>>);

/// The collection URL path of `user` under `base_path` with `template`.
pub fn collection_path(base_path: &str, template: &str, user: &User) -> String {
    let local = user.address.split('@').next().unwrap_or(&user.address);
    let relative = template
        .replace("{user}", local)
        .replace("{address}", &user.address);
    let base = base_path.trim_end_matches('/');
    format!("{base}/{}", relative.trim_start_matches('/'))
}

/// One `REPORT sync-collection` on `user`'s collection; returns how many changed members
/// the server listed.
pub async fn sync(
    dialer: &Dialer,
    user: &User,
    template: &str,
    calendar: bool,
    tokens: &Tokens,
) -> Result<usize, DavError> {
    let path = collection_path(&dialer.endpoint.path, template, user);
    let token = tokens
        .0
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&(user.index, calendar))
        .cloned()
        .unwrap_or_default();
    let body = DavRequest::SyncCollection(SyncCollection {
        sync_token: Cow::Owned(token),
        sync_level: SyncLevel::One,
        limit: None,
        props: vec![RequestedProp::Name(Name::Dav(Dav::GetEtag))],
    })
    .to_vec();
    let dial = |e: super::conn::DialError| DavError {
        kind: format!("dav.{}", e.kind),
        detail: e.detail,
    };
    let tcp = dialer.tcp().await.map_err(dial)?;
    let io = if dialer.implicit_tls() {
        dialer.tls(tcp).await.map_err(dial)?
    } else {
        Box::new(tcp)
    };
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(io))
            .await
            .map_err(http)?;
    let driver = tokio::spawn(connection);
    let credentials = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{}:{}", user.login, user.password.expose()),
    );
    let host = if dialer.endpoint.host.contains(':') {
        format!("[{}]:{}", dialer.endpoint.host, dialer.endpoint.port)
    } else {
        format!("{}:{}", dialer.endpoint.host, dialer.endpoint.port)
    };
    let request = http::Request::builder()
        .method("REPORT")
        .uri(&path)
        .header("host", host)
        .header("authorization", format!("Basic {credentials}"))
        .header("content-type", "application/xml; charset=utf-8")
        .header("depth", "1")
        .body(Full::new(Bytes::from(body)))
        .map_err(http)?;
    let response = sender.send_request(request).await.map_err(http)?;
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .map_err(http)?
        .to_bytes();
    driver.abort();
    if status.as_u16() != 207 {
        return Err(DavError {
            kind: format!("dav.{}", status.as_u16()),
            detail: format!("REPORT sync-collection {path}: {status}"),
        });
    }
    let decoded = DavResponse::decode(&bytes, &Limits::default()).map_err(|error| DavError {
        kind: "dav.decode".into(),
        detail: format!("{path}: {error}"),
    })?;
    let Decoded::Complete {
        value: DavResponse::Multistatus(multistatus),
        ..
    } = decoded
    else {
        return Err(DavError {
            kind: "dav.decode".into(),
            detail: format!("{path}: the 207 body is not a complete multistatus"),
        });
    };
    let Some(token) = multistatus.sync_token else {
        return Err(DavError {
            kind: "dav.no-sync-token".into(),
            detail: format!("{path}: the multistatus has no sync-token"),
        });
    };
    tokens
        .0
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert((user.index, calendar), token.into_owned());
    Ok(multistatus.responses.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::Secret;

    #[test]
    fn collection_paths_fill_the_template() {
        let user = User {
            index: 0,
            login: "u1@example.test".into(),
            address: "u1@example.test".into(),
            password: Secret::new("x"),
        };
        assert_eq!(
            collection_path("/dav/calendars/", "{user}/default/", &user),
            "/dav/calendars/u1/default/"
        );
        assert_eq!(
            collection_path("/", "/{address}/cal/", &user),
            "/u1@example.test/cal/"
        );
    }
}
