//! OAUTHBEARER (RFC 7628): the client's initial response, the server's error result (a JSON
//! object with `status`, sent as a challenge), and the client's `%x01` that ends a failed
//! exchange (RFC 7628 §3.2.3).

/// The client's answer to an error challenge: a single `%x01` (RFC 7628 §3.2.3).
pub const DUMMY_RESPONSE: &[u8] = b"\x01";

/// The initial client response: `n,a=USER,^Ahost=HOST^Aport=PORT^Aauth=Bearer TOKEN^A^A`
/// (RFC 7628 §3.1; host and port when known).
pub fn initial_response(user: &str, token: &str, host: Option<(&str, u16)>) -> Vec<u8> {
    let authzid = user.replace('=', "=3D").replace(',', "=2C");
    let mut message = format!("n,a={authzid},\x01");
    if let Some((host, port)) = host {
        message.push_str(&format!("host={host}\x01port={port}\x01"));
    }
    message.push_str(&format!("auth=Bearer {token}\x01\x01"));
    message.into_bytes()
}

/// What a server reads from an initial client response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientResponse {
    /// The authorization identity of the GS2 header (`a=`), unescaped, if any.
    pub authzid: Option<String>,
    /// The bearer token of `auth=Bearer TOKEN`.
    pub token: Option<String>,
}

/// Parses an initial client response (server side); `None` when it is not of the RFC 7628
/// §3.1 form (GS2 header, `%x01`-separated key/values, two `%x01` at the end).
pub fn parse_initial_response(message: &[u8]) -> Option<ClientResponse> {
    let text = std::str::from_utf8(message).ok()?;
    let (gs2, rest) = text.split_once('\x01')?;
    let body = rest.strip_suffix('\x01')?;
    let mut gs2 = gs2.split(',');
    let flag = gs2.next()?;
    if !matches!(flag, "n" | "y") {
        return None;
    }
    let authzid = gs2
        .next()
        .and_then(|a| a.strip_prefix("a="))
        .filter(|a| !a.is_empty())
        .map(|a| a.replace("=2C", ",").replace("=3D", "="));
    let mut token = None;
    for pair in body.split('\x01').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=')?;
        if key == "auth" {
            let (scheme, credentials) = value.split_once(' ')?;
            if scheme.eq_ignore_ascii_case("bearer") {
                token = Some(credentials.trim().to_string());
            }
        }
    }
    Some(ClientResponse { authzid, token })
}

/// The error result a server sends for a refused token (RFC 7628 §3.2.2).
pub fn error_result() -> Vec<u8> {
    br#"{"status":"invalid_token","schemes":"bearer","scope":"mail"}"#.to_vec()
}

/// The `status` of an error result, when `challenge` is a JSON object carrying one.
pub fn error_status(challenge: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(challenge).ok()?;
    value.get("status")?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7628 §4.1's IMAP example response (line breaks removed).
    #[test]
    fn rfc7628_example_initial_response() {
        let message = initial_response(
            "user@example.com",
            "vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg==",
            Some(("server.example.com", 143)),
        );
        assert_eq!(
            message,
            b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg==\x01\x01"
        );
        let parsed = parse_initial_response(&message).unwrap();
        assert_eq!(parsed.authzid.as_deref(), Some("user@example.com"));
        assert_eq!(
            parsed.token.as_deref(),
            Some("vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg==")
        );
    }

    /// RFC 7628 §4.3: the query with an empty `auth=` has no token; the error result's
    /// status is read.
    #[test]
    fn rfc7628_failed_exchange() {
        let parsed = parse_initial_response(
            b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=\x01\x01",
        );
        assert_eq!(parsed, None, "auth= without a scheme is not a bearer token");
        let error = br#"{"status":"invalid_token","scope":"example_scope","openid-configuration":"https://example.com/.well-known/openid-config"}"#;
        assert_eq!(error_status(error).as_deref(), Some("invalid_token"));
        assert_eq!(error_status(b"not json"), None);
        assert_eq!(error_status(b"{\"scope\":\"x\"}"), None);
        assert_eq!(
            error_status(&error_result()).as_deref(),
            Some("invalid_token")
        );
    }

    #[test]
    fn malformed_responses_are_refused() {
        assert_eq!(parse_initial_response(b"n,a=x,auth=Bearer t"), None);
        assert_eq!(
            parse_initial_response(b"p=tls,a=x,\x01auth=Bearer t\x01\x01"),
            None
        );
        assert_eq!(parse_initial_response(b"\xff\x01\x01"), None);
    }
}
