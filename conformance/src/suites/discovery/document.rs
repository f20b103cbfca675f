//! The Thunderbird autoconfig document (`config-v1.1.xml`), parsed with quick-xml into the
//! servers it names.
//!
//! Format: <https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat>.

use quick_xml::Reader;
use quick_xml::events::Event;

/// One `<incomingServer>` or `<outgoingServer>`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerEntry {
    /// `imap`, `pop3` or `smtp` (the `type` attribute).
    pub kind: String,
    /// `<hostname>`.
    pub hostname: String,
    /// `<port>`, if it is a number.
    pub port: Option<u16>,
    /// `<socketType>`: `SSL`, `STARTTLS` or `plain`.
    pub socket_type: String,
    /// `<username>`, placeholders such as `%EMAILADDRESS%` left in.
    pub username: String,
    /// `<authentication>` values.
    pub authentication: Vec<String>,
}

impl ServerEntry {
    /// The username with the placeholders filled in for `address`.
    pub fn username_for(&self, address: &str) -> String {
        let (local, domain) = address.rsplit_once('@').unwrap_or((address, ""));
        self.username
            .replace("%EMAILADDRESS%", address)
            .replace("%EMAILLOCALPART%", local)
            .replace("%EMAILDOMAIN%", domain)
    }

    /// Whether the socket type means TLS from the first byte.
    pub fn implicit_tls(&self) -> bool {
        self.socket_type.eq_ignore_ascii_case("SSL") || self.socket_type.eq_ignore_ascii_case("TLS")
    }

    /// Whether the socket type means STARTTLS.
    pub fn starttls(&self) -> bool {
        self.socket_type.eq_ignore_ascii_case("STARTTLS")
    }
}

/// One URL-based service of the document root: `<calendar type="caldav">`,
/// `<addressbook type="carddav">` or `<fileShare type="webdav">` (draft §3.4; Thunderbird's
/// `<addressBook>` and `<serverURL>` are read too).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UrlService {
    /// The element: `calendar`, `addressbook` or `fileShare`.
    pub element: String,
    /// The `type` attribute: `caldav`, `carddav`, `webdav`.
    pub kind: String,
    /// `<url>`.
    pub url: String,
    /// `<username>`, placeholders left in.
    pub username: String,
}

/// What a `config-v1.1.xml` says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AutoconfigDocument {
    /// The `<domain>` elements of the email provider.
    pub domains: Vec<String>,
    /// Incoming servers, in the order given (the first is preferred).
    pub incoming: Vec<ServerEntry>,
    /// Outgoing servers, in the order given.
    pub outgoing: Vec<ServerEntry>,
    /// Calendar, address book and file services, in the order given.
    pub services: Vec<UrlService>,
}

/// Why a document did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentError {
    /// Byte offset in the document.
    pub offset: u64,
    /// What went wrong.
    pub reason: String,
}

impl std::fmt::Display for DocumentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.offset)
    }
}

impl std::error::Error for DocumentError {}

/// The draft's name of a URL-service element: `calendar`, `addressbook` (Thunderbird's
/// older files write `addressBook`) or `fileShare`.
fn service_element(name: &str) -> Option<&'static str> {
    match name {
        "calendar" => Some("calendar"),
        "addressbook" | "addressBook" => Some("addressbook"),
        "fileShare" => Some("fileShare"),
        _ => None,
    }
}

/// Parses a document; it must be well-formed XML whose root is `<clientConfig>`.
pub fn parse(text: &str) -> Result<AutoconfigDocument, DocumentError> {
    let mut reader = Reader::from_str(text);
    let mut document = AutoconfigDocument::default();
    let mut path: Vec<String> = Vec::new();
    let mut current: Option<(bool, ServerEntry)> = None;
    let mut service: Option<UrlService> = None;
    let mut text_value = String::new();
    let error = |reader: &Reader<&[u8]>, reason: String| DocumentError {
        offset: reader.buffer_position(),
        reason,
    };
    let mut saw_root = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| error(&reader, e.to_string()))?;
        match event {
            Event::Start(start) => {
                let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                if path.is_empty() {
                    if name != "clientConfig" {
                        return Err(error(
                            &reader,
                            format!("root element is <{name}>, not <clientConfig>"),
                        ));
                    }
                    saw_root = true;
                }
                if name == "incomingServer" || name == "outgoingServer" {
                    let kind = start
                        .try_get_attribute("type")
                        .map_err(|e| error(&reader, e.to_string()))?
                        .map(|a| a.unescape_value().map(|v| v.into_owned()))
                        .transpose()
                        .map_err(|e| error(&reader, e.to_string()))?
                        .unwrap_or_default();
                    current = Some((
                        name == "incomingServer",
                        ServerEntry {
                            kind,
                            ..ServerEntry::default()
                        },
                    ));
                }
                if path.len() == 1 && service_element(&name).is_some() {
                    let kind = start
                        .try_get_attribute("type")
                        .map_err(|e| error(&reader, e.to_string()))?
                        .map(|a| a.unescape_value().map(|v| v.into_owned()))
                        .transpose()
                        .map_err(|e| error(&reader, e.to_string()))?
                        .unwrap_or_default();
                    service = Some(UrlService {
                        element: service_element(&name).unwrap_or_default().to_owned(),
                        kind,
                        ..UrlService::default()
                    });
                }
                path.push(name);
                text_value.clear();
            }
            Event::Text(text) => {
                let value = text.decode().map_err(|e| error(&reader, e.to_string()))?;
                text_value.push_str(&value);
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => match reference
                        .decode()
                        .map_err(|e| error(&reader, e.to_string()))?
                        .as_ref()
                    {
                        "amp" => "&".to_string(),
                        "lt" => "<".to_string(),
                        "gt" => ">".to_string(),
                        "quot" => "\"".to_string(),
                        "apos" => "'".to_string(),
                        other => return Err(error(&reader, format!("unknown entity &{other};"))),
                    },
                };
                text_value.push_str(&resolved);
            }
            Event::End(_) => {
                let name = path.pop().unwrap_or_default();
                let value = text_value.trim().to_string();
                text_value.clear();
                if let Some(entry) = service.as_mut() {
                    match name.as_str() {
                        "url" | "serverURL" => entry.url = value,
                        "username" => entry.username = value,
                        _ if path.len() == 1 && service_element(&name).is_some() => {
                            if let Some(done) = service.take() {
                                document.services.push(done);
                            }
                        }
                        _ => {}
                    }
                    continue;
                }
                match (name.as_str(), current.as_mut()) {
                    ("incomingServer" | "outgoingServer", _) => {
                        if let Some((incoming, entry)) = current.take() {
                            if incoming {
                                document.incoming.push(entry);
                            } else {
                                document.outgoing.push(entry);
                            }
                        }
                    }
                    ("hostname", Some((_, entry))) => entry.hostname = value,
                    ("port", Some((_, entry))) => entry.port = value.parse().ok(),
                    ("socketType", Some((_, entry))) => entry.socket_type = value,
                    ("username", Some((_, entry))) => entry.username = value,
                    ("authentication", Some((_, entry))) => entry.authentication.push(value),
                    ("domain", None) => document.domains.push(value),
                    _ => {}
                }
            }
            Event::Eof => {
                if !path.is_empty() {
                    return Err(error(
                        &reader,
                        format!("document ends inside <{}>", path.join("><")),
                    ));
                }
                if !saw_root {
                    return Err(error(&reader, "no <clientConfig> element".to_string()));
                }
                return Ok(document);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.com">
    <domain>example.com</domain>
    <displayName>Example &amp; Co</displayName>
    <incomingServer type="imap">
      <hostname>imap.example.com</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <authentication>password-cleartext</authentication>
      <username>%EMAILLOCALPART%</username>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.example.com</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
      <authentication>password-cleartext</authentication>
      <authentication>OAuth2</authentication>
      <username>%EMAILADDRESS%</username>
    </outgoingServer>
  </emailProvider>
</clientConfig>"#;

    #[test]
    fn parses_servers_and_placeholders() {
        let document = parse(SAMPLE).unwrap();
        assert_eq!(document.domains, ["example.com"]);
        let imap = &document.incoming[0];
        assert_eq!(imap.kind, "imap");
        assert_eq!(imap.hostname, "imap.example.com");
        assert_eq!(imap.port, Some(993));
        assert!(imap.implicit_tls());
        assert_eq!(imap.username_for("joe@example.com"), "joe");
        let smtp = &document.outgoing[0];
        assert!(smtp.starttls());
        assert_eq!(smtp.authentication, ["password-cleartext", "OAuth2"]);
        assert_eq!(smtp.username_for("joe@example.com"), "joe@example.com");
    }

    #[test]
    fn parses_url_services() {
        let text = SAMPLE.replace(
            "</clientConfig>",
            "<calendar type=\"caldav\"><url>https://dav.example.com/cal/</url>\
             <username>%EMAILADDRESS%</username></calendar>\
             <addressBook type=\"carddav\"><serverURL>https://dav.example.com/card/</serverURL></addressBook>\
             </clientConfig>",
        );
        let document = parse(&text).unwrap();
        assert_eq!(document.services.len(), 2);
        assert_eq!(document.services[0].element, "calendar");
        assert_eq!(document.services[0].kind, "caldav");
        assert_eq!(document.services[0].url, "https://dav.example.com/cal/");
        assert_eq!(document.services[0].username, "%EMAILADDRESS%");
        assert_eq!(document.services[1].kind, "carddav");
        assert_eq!(document.services[1].element, "addressbook");
        assert_eq!(document.services[1].url, "https://dav.example.com/card/");
        assert_eq!(document.incoming.len(), 1);
    }

    #[test]
    fn truncated_document_is_an_error() {
        let cut = &SAMPLE[..SAMPLE.len() / 2];
        assert!(parse(cut).is_err());
    }

    #[test]
    fn wrong_root_is_an_error() {
        let error = parse("<html><body/></html>").unwrap_err();
        assert!(error.reason.contains("<html>"), "{error}");
    }

    #[test]
    fn mismatched_end_tag_is_an_error() {
        assert!(parse("<clientConfig><a></b></clientConfig>").is_err());
    }
}
