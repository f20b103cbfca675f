//! Responses of the DAV server: plain and empty answers, `DAV:error` bodies with their
//! precondition element, multistatus, and request-body decoding through groupwire-dav (an
//! XML body that does not decode is 400, one past a size limit 413).

use bytes::Bytes;
use groupwire_dav::body::{
    Condition, ConditionDetail, DavProperty, ErrorBody, Href, Multistatus, PropStat, Response,
    Status,
};
use groupwire_dav::headers::{Depth, TypedHeader};
use groupwire_dav::{DavRequest, DavResponse, Decoded, ErrorKind, Limit, Name};
use http::{HeaderValue, StatusCode, header};
use http_body_util::Full;

use super::{Ctx, Req};

/// A response of the DAV server (boxed: handlers pass it around as an `Err`).
pub type Resp = Box<http::Response<Full<Bytes>>>;

/// A `calendar-data` or `address-data` request the server cannot honour (a 403 propstat).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsupported;

/// A response with `body` of `content_type`.
pub fn with_body(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Resp {
    let mut resp = Box::new(http::Response::new(Full::new(body.into())));
    *resp.status_mut() = status;
    if let Ok(value) = HeaderValue::from_str(content_type) {
        resp.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    resp
}

/// A short text/plain answer.
pub fn plain(status: StatusCode, text: &'static str) -> Resp {
    with_body(
        status,
        "text/plain; charset=utf-8",
        Bytes::from_static(text.as_bytes()),
    )
}

/// An answer without a body.
pub fn empty(status: StatusCode) -> Resp {
    let mut resp = Box::new(http::Response::new(Full::new(Bytes::new())));
    *resp.status_mut() = status;
    resp
}

/// An XML answer.
pub fn xml_response(status: StatusCode, body: &DavResponse<'_>) -> Resp {
    with_body(status, "application/xml; charset=utf-8", body.to_vec())
}

/// A `DAV:error` body holding one empty precondition element.
pub fn error_body(name: Name<'static>) -> ErrorBody<'static> {
    ErrorBody {
        conditions: vec![Condition {
            name,
            detail: ConditionDetail::Empty,
        }],
    }
}

/// An answer with a `DAV:error` body naming one precondition.
pub fn error(status: StatusCode, name: Name<'static>) -> Resp {
    xml_response(status, &DavResponse::Error(error_body(name)))
}

/// An answer with a `DAV:error` body naming a precondition with hrefs (`no-uid-conflict`,
/// `lock-token-submitted`).
pub fn error_hrefs(status: StatusCode, name: Name<'static>, hrefs: Vec<String>) -> Resp {
    let body = ErrorBody {
        conditions: vec![Condition {
            name,
            detail: ConditionDetail::Hrefs(hrefs.into_iter().map(Href::new).collect()),
        }],
    };
    xml_response(status, &DavResponse::Error(body))
}

/// A 207 multistatus answer.
pub fn multistatus(body: Multistatus<'static>) -> Resp {
    xml_response(StatusCode::MULTI_STATUS, &DavResponse::Multistatus(body))
}

/// A `DAV:response` carrying only a status.
pub fn status_response(href: String, code: u16) -> Response<'static> {
    Response {
        hrefs: vec![Href::new(href)],
        status: Some(Status::from_code(code)),
        propstats: Vec::new(),
        error: None,
        description: None,
        location: None,
    }
}

/// A `DAV:response` with properties grouped by status (200 first), empty groups left out.
pub fn props_response(
    href: String,
    groups: Vec<(u16, Vec<DavProperty<'static>>)>,
) -> Response<'static> {
    Response {
        hrefs: vec![Href::new(href)],
        status: None,
        propstats: groups
            .into_iter()
            .filter(|(_, props)| !props.is_empty())
            .map(|(code, props)| PropStat {
                props,
                status: Status::from_code(code),
                error: None,
                description: None,
            })
            .collect(),
        error: None,
        description: None,
        location: None,
    }
}

/// Decodes an XML request body with the service's limits: 400 when it is not a whole,
/// well-formed DAV body, 413 past the size limit.
pub fn decode_body(ctx: &Ctx, body: &Bytes) -> Result<DavRequest<'static>, Resp> {
    match DavRequest::decode(body, &ctx.limits) {
        Ok(Decoded::Complete { value, .. }) => Ok(value.into_owned()),
        Ok(Decoded::Incomplete { .. }) => Err(plain(
            StatusCode::BAD_REQUEST,
            "the XML body ends before its root element does\n",
        )),
        Err(e) if e.kind() == ErrorKind::LimitExceeded(Limit::BodySize) => Err(plain(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the XML body is too large\n",
        )),
        Err(_) => Err(plain(
            StatusCode::BAD_REQUEST,
            "the XML body is not a well-formed DAV body\n",
        )),
    }
}

/// The `Depth` header: `Ok(None)` when absent, 400 when malformed.
pub fn depth(req: &Req) -> Result<Option<Depth>, Resp> {
    match req.headers.get(groupwire_dav::headers::DEPTH) {
        None => Ok(None),
        Some(value) => Depth::from_header_value(value)
            .map(Some)
            .map_err(|_| plain(StatusCode::BAD_REQUEST, "malformed Depth header\n")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_decode_to_their_precondition() {
        let resp = error(
            StatusCode::FORBIDDEN,
            Name::Dav(groupwire_dav::xml::Dav::PropfindFiniteDepth),
        );
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        let body = DavResponse::Error(error_body(Name::Dav(
            groupwire_dav::xml::Dav::PropfindFiniteDepth,
        )))
        .to_vec();
        match DavResponse::decode(&body, &groupwire_dav::Limits::default()) {
            Ok(Decoded::Complete {
                value: DavResponse::Error(e),
                ..
            }) => assert_eq!(
                e.conditions.first().map(|c| c.name.clone()),
                Some(Name::Dav(groupwire_dav::xml::Dav::PropfindFiniteDepth))
            ),
            other => panic!("unexpected {other:?}"),
        }
    }
}
