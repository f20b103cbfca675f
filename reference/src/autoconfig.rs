//! The reference deployment's autoconfig endpoint: a tiny HTTPS server answering
//! `GET /mail/config-v1.1.xml` and `GET /.well-known/autoconfig/mail/config-v1.1.xml` with a
//! Thunderbird autoconfig document naming the reference IMAP and submission listeners.

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use super::faults::{Fault, Faults};

/// The two paths a Thunderbird-style client asks for, in the order it asks.
pub const AUTOCONFIG_PATHS: [&str; 2] = [
    "/mail/config-v1.1.xml",
    "/.well-known/autoconfig/mail/config-v1.1.xml",
];

/// What the autoconfig document describes.
#[derive(Debug, Clone)]
pub struct AutoconfigDocument {
    /// The mail domain.
    pub domain: String,
    /// The hostname clients should use for every server.
    pub hostname: String,
    /// IMAP with implicit TLS.
    pub imaps_port: u16,
    /// IMAP with STARTTLS.
    pub imap_port: u16,
    /// Submission with implicit TLS.
    pub submissions_port: u16,
    /// Submission with STARTTLS.
    pub submission_port: u16,
    /// The DAV services, when the deployment has them.
    pub dav: Option<DavServices>,
}

/// The DAV base URLs an autoconfig document names (`calendar`, `addressBook`, `fileShare`).
#[derive(Debug, Clone)]
pub struct DavServices {
    /// CalDAV base URL.
    pub caldav: String,
    /// CardDAV base URL.
    pub carddav: String,
    /// WebDAV base URL.
    pub webdav: String,
}

impl AutoconfigDocument {
    /// The XML text, with the deviations `faults` asks for.
    pub fn render(&self, faults: &Faults) -> String {
        let shift = u16::from(faults.has(Fault::AutoconfigWrongPort));
        let username = if faults.has(Fault::AutoconfigWrongUsername) {
            "%EMAILLOCALPART%-nobody"
        } else {
            "%EMAILADDRESS%"
        };
        let server = |kind: &str, tag: &str, port: u16, socket: &str| {
            format!(
                "    <{tag} type=\"{kind}\">\n      <hostname>{host}</hostname>\n      \
                 <port>{port}</port>\n      <socketType>{socket}</socketType>\n      \
                 <authentication>password-cleartext</authentication>\n      \
                 <username>{username}</username>\n    </{tag}>\n",
                host = self.hostname,
                port = port.wrapping_add(shift),
            )
        };
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        xml.push_str("<clientConfig version=\"1.1\">\n");
        xml.push_str(&format!("  <emailProvider id=\"{}\">\n", self.domain));
        let domain = if faults.has(Fault::AutoconfigWrongDomain) {
            "elsewhere.invalid"
        } else {
            self.domain.as_str()
        };
        xml.push_str(&format!("    <domain>{domain}</domain>\n"));
        xml.push_str("    <displayName>groupwire reference</displayName>\n");
        xml.push_str("    <displayShortName>groupwire</displayShortName>\n");
        xml.push_str(&server("imap", "incomingServer", self.imaps_port, "SSL"));
        xml.push_str(&server(
            "imap",
            "incomingServer",
            self.imap_port,
            "STARTTLS",
        ));
        if !faults.has(Fault::AutoconfigNoSmtp) {
            xml.push_str(&server(
                "smtp",
                "outgoingServer",
                self.submissions_port,
                "SSL",
            ));
            xml.push_str(&server(
                "smtp",
                "outgoingServer",
                self.submission_port,
                "STARTTLS",
            ));
        }
        xml.push_str("  </emailProvider>\n");
        if let Some(dav) = self
            .dav
            .as_ref()
            .filter(|_| !faults.has(Fault::AutoconfigNoDav))
        {
            let service = |tag: &str, kind: &str, url: &str| {
                format!(
                    "  <{tag} type=\"{kind}\">\n    <username>{username}</username>\n    \
                     <authentication>http-basic</authentication>\n    \
                     <serverURL>{url}</serverURL>\n  </{tag}>\n"
                )
            };
            xml.push_str(&service("addressBook", "carddav", &dav.carddav));
            xml.push_str(&service("calendar", "caldav", &dav.caldav));
            xml.push_str(&service("fileShare", "webdav", &dav.webdav));
        }
        xml.push_str("</clientConfig>\n");
        if faults.has(Fault::AutoconfigMalformed) {
            // Cut inside an element: not well-formed.
            xml.truncate(xml.len() / 2);
        }
        xml
    }
}

/// Serves the document over HTTPS on `listener` until the task is aborted.
pub async fn serve(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    document: AutoconfigDocument,
    faults: Faults,
) {
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    let body: Arc<str> = Arc::from(document.render(&faults));
    // The MTA-STS policy of the domain (RFC 8461 §3.2): this server plays mta-sts.DOMAIN too.
    let policy: Arc<str> = Arc::from(super::dns::mta_sts_policy(&document.domain, &faults));
    let faults = Arc::new(faults);
    let mut connections = JoinSet::new();
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            continue;
        };
        let acceptor = acceptor.clone();
        let body = Arc::clone(&body);
        let policy = Arc::clone(&policy);
        let faults = Arc::clone(&faults);
        connections.spawn(async move {
            if let Ok(stream) = super::security::accept(&acceptor, socket, &faults).await {
                let _ = answer(stream, &body, &policy, &faults).await;
            }
        });
        // Reap finished connections so the set does not grow without bound.
        while connections.try_join_next().is_some() {}
    }
}

async fn answer<S>(mut stream: S, body: &str, policy: &str, faults: &Faults) -> std::io::Result<()>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut buffer = Vec::with_capacity(1024);
    let path = loop {
        let mut chunk = [0u8; 1024];
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(chunk.get(..read).unwrap_or_default());
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(&buffer) {
            Ok(httparse::Status::Complete(_)) => {
                let path = request.path.unwrap_or("/");
                // Clients append `?emailaddress=...`; the document does not depend on it.
                break path.split('?').next().unwrap_or(path).to_string();
            }
            Ok(httparse::Status::Partial) if buffer.len() < 16 * 1024 => continue,
            _ => {
                return respond(
                    &mut stream,
                    "400 Bad Request",
                    "text/plain",
                    "bad request\n",
                )
                .await;
            }
        }
    };
    if path == super::dns::MTA_STS_PATH {
        return respond(&mut stream, "200 OK", "text/plain", policy).await;
    }
    let served = match path.as_str() {
        p if p == AUTOCONFIG_PATHS[0] => !faults.has(Fault::AutoconfigMissing),
        p if p == AUTOCONFIG_PATHS[1] => {
            !faults.has(Fault::AutoconfigMissing) && !faults.has(Fault::AutoconfigWellKnownMissing)
        }
        _ => false,
    };
    if served {
        let content_type = if faults.has(Fault::AutoconfigWrongContentType) {
            "text/html"
        } else {
            "text/xml; charset=utf-8"
        };
        respond(&mut stream, "200 OK", content_type, body).await
    } else {
        respond(&mut stream, "404 Not Found", "text/plain", "not found\n").await
    }
}

async fn respond<S>(
    stream: &mut S,
    status: &str,
    content_type: &str,
    body: &str,
) -> std::io::Result<()>
where
    S: tokio::io::AsyncWrite + Unpin,
{
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}
