//! Workers of `groupwire load reference --workers N`: N processes serve IMAPS, submissions
//! and DAV on the same ports, each port opened with `SO_REUSEPORT` in every worker, so the
//! kernel spreads new connections over the workers and their sessions together exceed one
//! process's file-descriptor limit.
//!
//! Every worker holds the same accounts and the same certificate (the first worker makes
//! it and hands it to the others in a file only they read), but its own mail store: a
//! message submitted through one worker is delivered into that worker's store only. Workers
//! are for capacity runs (the `idle` mix); mixes that check delivery or flags across
//! sessions need a single worker.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpSocket};

use crate::reference::tls::{ReferenceTls, provider};
use crate::reference::{Reference, certificate_names, dav, imap, security, smtp};

/// The ports the workers share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedPorts {
    /// IMAP over implicit TLS.
    pub imaps: u16,
    /// Submission over implicit TLS.
    pub submissions: u16,
    /// CalDAV/CardDAV over HTTPS.
    pub dav: u16,
}

impl SharedPorts {
    /// `IMAPS,SUBMISSIONS,DAV`, as passed to a worker.
    pub fn to_arg(self) -> String {
        format!("{},{},{}", self.imaps, self.submissions, self.dav)
    }

    /// Parses [`SharedPorts::to_arg`]'s form.
    pub fn parse(text: &str) -> Option<SharedPorts> {
        let mut ports = text.split(',').map(|p| p.trim().parse::<u16>().ok());
        let ports = SharedPorts {
            imaps: ports.next()??,
            submissions: ports.next()??,
            dav: ports.next()??,
        };
        (ports.imaps != 0 && ports.submissions != 0 && ports.dav != 0).then_some(ports)
    }
}

/// A listener on `ip:port` with `SO_REUSEPORT` (and `SO_REUSEADDR`) set before binding, so
/// other workers of the same user can bind the same port; port 0 lets the OS choose.
pub fn reuse_port_listener(ip: IpAddr, port: u16) -> std::io::Result<TcpListener> {
    let socket = if ip.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.set_reuseport(true)?;
    socket.bind(SocketAddr::new(ip, port))?;
    socket.listen(4096)
}

/// The listeners of one worker on the shared ports (port 0 in `ports`: chosen by the OS,
/// for the first worker).
#[derive(Debug)]
pub struct SharedListeners {
    /// IMAPS.
    pub imaps: TcpListener,
    /// Submissions.
    pub submissions: TcpListener,
    /// DAV.
    pub dav: TcpListener,
}

impl SharedListeners {
    /// Binds the three listeners.
    pub fn bind(ip: IpAddr, ports: Option<SharedPorts>) -> std::io::Result<SharedListeners> {
        let (imaps, submissions, dav) =
            ports.map_or((0, 0, 0), |p| (p.imaps, p.submissions, p.dav));
        Ok(SharedListeners {
            imaps: reuse_port_listener(ip, imaps)?,
            submissions: reuse_port_listener(ip, submissions)?,
            dav: reuse_port_listener(ip, dav)?,
        })
    }

    /// The ports they are bound to.
    pub fn ports(&self) -> std::io::Result<SharedPorts> {
        Ok(SharedPorts {
            imaps: self.imaps.local_addr()?.port(),
            submissions: self.submissions.local_addr()?.port(),
            dav: self.dav.local_addr()?.port(),
        })
    }

    /// Serves `reference`'s IMAP, submission and DAV services on them (with its store,
    /// faults, connection guard and certificate); the tasks end when the runtime does.
    pub fn serve(self, reference: &Reference) -> Result<(), String> {
        let server_tls =
            security::server_config(&reference.tls, &reference.faults, &certificate_names())
                .map_err(|e| e.to_string())?;
        let imap_service = Arc::new(imap::ImapService {
            store: Arc::clone(&reference.store),
            tls: Arc::clone(&server_tls),
            faults: reference.faults.clone(),
            guard: Arc::clone(&reference.guard),
        });
        let smtp_service = Arc::new(smtp::SmtpService {
            store: Arc::clone(&reference.store),
            tls: server_tls,
            faults: reference.faults.clone(),
            domain: crate::reference::DOMAIN.to_string(),
            guard: Arc::clone(&reference.guard),
        });
        tokio::spawn(imap::serve(self.imaps, imap_service, true));
        tokio::spawn(smtp::serve(self.submissions, smtp_service, true));
        tokio::spawn(dav::serve(
            self.dav,
            Arc::clone(&reference.tls.server),
            Arc::clone(&reference.dav_service),
        ));
        Ok(())
    }
}

/// The certificate every worker presents: generated once, as DER (certificate and PKCS#8
/// key), so it can be handed to the other workers.
#[derive(Debug, Clone)]
pub struct SharedCertificate {
    certificate: Vec<u8>,
    key: Vec<u8>,
}

impl SharedCertificate {
    /// A new self-signed certificate for the reference's names.
    pub fn generate() -> Result<SharedCertificate, String> {
        let certified =
            rcgen::generate_simple_self_signed(certificate_names()).map_err(|e| e.to_string())?;
        Ok(SharedCertificate {
            certificate: certified.cert.der().to_vec(),
            key: certified.signing_key.serialize_der(),
        })
    }

    /// Writes it to `path` (two base64 lines), readable by the owner only.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        use base64::Engine as _;
        use std::io::Write as _;
        let engine = base64::engine::general_purpose::STANDARD;
        let text = format!(
            "{}\n{}\n",
            engine.encode(&self.certificate),
            engine.encode(&self.key)
        );
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = options
            .open(path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        file.write_all(text.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    /// Reads what [`SharedCertificate::write`] wrote.
    pub fn read(path: &Path) -> Result<SharedCertificate, String> {
        use base64::Engine as _;
        let engine = base64::engine::general_purpose::STANDARD;
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut lines = text.lines();
        let mut next = |what: &str| {
            lines
                .next()
                .and_then(|line| engine.decode(line.trim()).ok())
                .ok_or_else(|| format!("{}: no {what}", path.display()))
        };
        Ok(SharedCertificate {
            certificate: next("certificate")?,
            key: next("key")?,
        })
    }

    /// The TLS material for [`crate::reference::ReferenceOptions::tls`].
    pub fn tls(&self) -> Result<ReferenceTls, String> {
        let certificate = CertificateDer::from(self.certificate.clone());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone()));
        let server = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_single_cert(vec![certificate.clone()], key)
            .map_err(|e| e.to_string())?;
        let mut roots = rustls::RootCertStore::empty();
        roots.add(certificate.clone()).map_err(|e| e.to_string())?;
        let client = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let certificate_pem = pem("CERTIFICATE", &self.certificate);
        // Self-signed: what a client trusts is the certificate itself.
        Ok(ReferenceTls {
            server: Arc::new(server),
            client: Arc::new(client),
            ca_certificate: certificate.clone(),
            ca_certificate_pem: certificate_pem.clone(),
            certificate,
            certificate_pem,
        })
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The arguments a worker is started with: this process's, without `--workers`, plus the
/// shared ports and certificate file.
pub fn worker_args(
    own: impl IntoIterator<Item = String>,
    ports: SharedPorts,
    certificate: &Path,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut own = own.into_iter().skip(1);
    while let Some(arg) = own.next() {
        if arg == "--workers" {
            own.next();
            continue;
        }
        if arg.starts_with("--workers=") {
            continue;
        }
        out.push(arg);
    }
    out.push("--worker-ports".into());
    out.push(ports.to_arg());
    out.push("--worker-tls".into());
    out.push(certificate.display().to_string());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_round_trip_and_zero_is_refused() {
        let ports = SharedPorts {
            imaps: 22001,
            submissions: 22002,
            dav: 22003,
        };
        assert_eq!(SharedPorts::parse(&ports.to_arg()), Some(ports));
        assert_eq!(SharedPorts::parse("1,2"), None);
        assert_eq!(SharedPorts::parse("1,0,3"), None);
    }

    #[test]
    fn workers_get_the_same_arguments_less_workers() {
        let own = [
            "groupwire",
            "load",
            "reference",
            "--workers",
            "3",
            "--accounts",
            "u{1..2}@x",
            "--workers=3",
        ]
        .map(String::from);
        let ports = SharedPorts {
            imaps: 1,
            submissions: 2,
            dav: 3,
        };
        let args = worker_args(own, ports, Path::new("/tmp/c"));
        assert_eq!(
            args,
            [
                "load",
                "reference",
                "--accounts",
                "u{1..2}@x",
                "--worker-ports",
                "1,2,3",
                "--worker-tls",
                "/tmp/c"
            ]
        );
    }

    #[tokio::test]
    async fn two_listeners_share_one_port() {
        let ip = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
        let first = reuse_port_listener(ip, 0).unwrap();
        let port = first.local_addr().unwrap().port();
        let second = reuse_port_listener(ip, port).unwrap();
        assert_eq!(second.local_addr().unwrap().port(), port);
        // Without SO_REUSEPORT the port is taken.
        assert!(std::net::TcpListener::bind((ip, port)).is_err());
    }

    #[test]
    fn the_shared_certificate_round_trips_through_its_file() {
        let dir = std::env::temp_dir().join(format!("gw-workers-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("tls");
        let _ = std::fs::remove_file(&path);
        let certificate = SharedCertificate::generate().unwrap();
        certificate.write(&path).unwrap();
        let read = SharedCertificate::read(&path).unwrap();
        let (a, b) = (certificate.tls().unwrap(), read.tls().unwrap());
        assert_eq!(a.certificate, b.certificate);
        assert!(
            a.certificate_pem
                .starts_with("-----BEGIN CERTIFICATE-----\n")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
