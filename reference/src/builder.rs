//! [`ReferenceBuilder`]: a deployment for a test, told what it holds (accounts, mailboxes,
//! messages, calendars, address books, faults) before it starts.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::sync::Arc;

use bytes::Bytes;

use crate::dav::principals::{self, addressbook_home, calendar_home, default_components};
use crate::dav::store::{CollectionKind, Content};
use crate::dav::{Ctx, caldav, carddav};
use crate::faults::{Fault, Faults};
use crate::tls::ReferenceTls;
use crate::{Reference, ReferenceOptions, ServerLimits, StartError, TestAccount};

/// What to put into a deployment before its first client connects.
#[derive(Debug, Clone)]
enum Seed {
    Mailbox {
        address: String,
        name: String,
    },
    Message {
        address: String,
        mailbox: String,
        raw: Vec<u8>,
        flags: Vec<String>,
    },
    Calendar {
        address: String,
        name: String,
    },
    CalendarObject {
        address: String,
        calendar: String,
        name: String,
        body: Vec<u8>,
    },
    AddressBook {
        address: String,
        name: String,
    },
    Contact {
        address: String,
        address_book: String,
        name: String,
        body: Vec<u8>,
    },
}

/// Builds a reference deployment for a test: start with [`Reference::builder`], name what it
/// should hold, then [`start`](ReferenceBuilder::start) it.
///
/// Without any [`account`](Self::account) it has the two [`default_accounts`](crate::default_accounts);
/// naming one replaces them. An account's login name is its address. Each account has an
/// `INBOX` (and the special-use mailboxes `Drafts`, `Sent`, `Trash`, `Junk`, `Archive`), a
/// calendar and an address book named `default`. Messages, calendar objects and contacts are
/// stored verbatim; calendar objects and contacts pass the same validation a CalDAV or
/// CardDAV `PUT` does, so a bad one fails [`start`](Self::start) rather than a later test.
///
/// TLS: unless [`tls`](Self::tls) gives material, a CA and a certificate it issues for
/// `localhost`, `127.0.0.1` and `::1` are generated; clients trust
/// [`Reference::ca_certificate_pem`].
#[derive(Debug, Clone)]
pub struct ReferenceBuilder {
    options: ReferenceOptions,
    accounts: Vec<TestAccount>,
    seeds: Vec<Seed>,
    unknown_faults: Vec<String>,
}

impl Reference {
    /// A builder for a deployment (see [`ReferenceBuilder`]).
    pub fn builder() -> ReferenceBuilder {
        ReferenceBuilder {
            options: ReferenceOptions::default(),
            accounts: Vec::new(),
            seeds: Vec::new(),
            unknown_faults: Vec::new(),
        }
    }
}

impl ReferenceBuilder {
    /// Adds an account: its address (also its login name) and password.
    pub fn account(mut self, address: impl Into<String>, password: impl Into<String>) -> Self {
        self.accounts.push(TestAccount {
            address: address.into(),
            password: password.into(),
        });
        self
    }

    /// Creates a mailbox (hierarchy separator `/`; parents are created as needed).
    pub fn mailbox(mut self, address: impl Into<String>, name: impl Into<String>) -> Self {
        self.seeds.push(Seed::Mailbox {
            address: address.into(),
            name: name.into(),
        });
        self
    }

    /// Appends a message (RFC 5322 bytes, CRLF line ends) to a mailbox, unflagged.
    pub fn message(
        self,
        address: impl Into<String>,
        mailbox: impl Into<String>,
        raw: impl Into<Vec<u8>>,
    ) -> Self {
        self.message_with_flags(address, mailbox, raw, &[])
    }

    /// Appends a message with flags (`\Seen`, `\Flagged`, keywords) to a mailbox.
    pub fn message_with_flags(
        mut self,
        address: impl Into<String>,
        mailbox: impl Into<String>,
        raw: impl Into<Vec<u8>>,
        flags: &[&str],
    ) -> Self {
        self.seeds.push(Seed::Message {
            address: address.into(),
            mailbox: mailbox.into(),
            raw: raw.into(),
            flags: flags.iter().map(|flag| flag.to_string()).collect(),
        });
        self
    }

    /// Creates a calendar collection (VEVENT, VTODO, VJOURNAL) in the account's calendar home;
    /// its URL is [`Reference::calendar_url`].
    pub fn calendar(mut self, address: impl Into<String>, name: impl Into<String>) -> Self {
        self.seeds.push(Seed::Calendar {
            address: address.into(),
            name: name.into(),
        });
        self
    }

    /// Stores an iCalendar object (`name` is the resource name, e.g. `meeting.ics`) in a
    /// calendar.
    pub fn calendar_object(
        mut self,
        address: impl Into<String>,
        calendar: impl Into<String>,
        name: impl Into<String>,
        ical: impl Into<Vec<u8>>,
    ) -> Self {
        self.seeds.push(Seed::CalendarObject {
            address: address.into(),
            calendar: calendar.into(),
            name: name.into(),
            body: ical.into(),
        });
        self
    }

    /// Creates an address book collection in the account's address book home; its URL is
    /// [`Reference::address_book_url`].
    pub fn address_book(mut self, address: impl Into<String>, name: impl Into<String>) -> Self {
        self.seeds.push(Seed::AddressBook {
            address: address.into(),
            name: name.into(),
        });
        self
    }

    /// Stores a vCard (`name` is the resource name, e.g. `ada.vcf`) in an address book.
    pub fn contact(
        mut self,
        address: impl Into<String>,
        address_book: impl Into<String>,
        name: impl Into<String>,
        vcard: impl Into<Vec<u8>>,
    ) -> Self {
        self.seeds.push(Seed::Contact {
            address: address.into(),
            address_book: address_book.into(),
            name: name.into(),
            body: vcard.into(),
        });
        self
    }

    /// Turns on a fault by its name ([`Fault::name`], as `groupwire selftest` and
    /// `groupwire serve --fault` name them); an unknown name fails [`start`](Self::start).
    pub fn fault(mut self, name: &str) -> Self {
        match Fault::from_name(name) {
            Some(fault) => self.options.faults.insert(fault),
            None => self.unknown_faults.push(name.to_string()),
        }
        self
    }

    /// Replaces the faults with `faults`.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.options.faults = faults;
        self
    }

    /// The address every listener binds (default `127.0.0.1`; ports are chosen by the OS).
    pub fn bind(mut self, address: IpAddr) -> Self {
        self.options.bind = address;
        self
    }

    /// The bounds against hostile clients (default [`ServerLimits::default`]).
    pub fn limits(mut self, limits: ServerLimits) -> Self {
        self.options.limits = limits;
        self
    }

    /// TLS material to use instead of a freshly generated CA and certificate (generating
    /// one takes a few milliseconds; a test suite starting many deployments can share one).
    pub fn tls(mut self, tls: ReferenceTls) -> Self {
        self.options.tls = Some(tls);
        self
    }

    /// Binds every listener, provisions the accounts, stores what was seeded and starts
    /// serving on the current tokio runtime. The servers run until [`Reference::stop`] or
    /// until the returned value is dropped.
    pub async fn start(self) -> Result<Reference, StartError> {
        if !self.unknown_faults.is_empty() {
            return Err(StartError::Seed(format!(
                "unknown fault(s): {}",
                self.unknown_faults.join(", ")
            )));
        }
        let mut options = self.options;
        if !self.accounts.is_empty() {
            options.accounts = self.accounts;
        }
        if options.tls.is_none() {
            options.tls = Some(
                ReferenceTls::generate_with_ca(&crate::certificate_names())
                    .map_err(StartError::Tls)?,
            );
        }
        let reference = Reference::start(options).await?;
        for seed in self.seeds {
            seed.apply(&reference).map_err(StartError::Seed)?;
        }
        Ok(reference)
    }
}

impl Seed {
    fn apply(self, reference: &Reference) -> Result<(), String> {
        let known = |address: &str| {
            if reference.store.has_account(address) {
                Ok(())
            } else {
                Err(format!("no account {address}"))
            }
        };
        match self {
            Seed::Mailbox { address, name } => {
                known(&address)?;
                let mut path = String::new();
                for part in name.split('/') {
                    if !path.is_empty() {
                        path.push('/');
                    }
                    path.push_str(part);
                    let exists = reference
                        .store
                        .with_account(&address, |view| view.mailbox(&path).is_some())
                        .map_err(|error| error.to_string())?;
                    if !exists {
                        reference
                            .store
                            .with_account(&address, |view| view.create(&path))
                            .and_then(|created| created)
                            .map_err(|error| format!("mailbox {path}: {error}"))?;
                    }
                }
                Ok(())
            }
            Seed::Message {
                address,
                mailbox,
                raw,
                flags,
            } => {
                known(&address)?;
                reference
                    .store
                    .append(
                        &address,
                        &mailbox,
                        Arc::from(raw),
                        flags.into_iter().collect::<BTreeSet<_>>(),
                        None,
                    )
                    .map(|_| ())
                    .map_err(|error| format!("message in {mailbox}: {error}"))
            }
            Seed::Calendar { address, name } => {
                known(&address)?;
                let path = format!("{}/{name}", calendar_home(principals::user_of(&address)));
                let mut tree = reference
                    .dav_service
                    .tree
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                tree.put(
                    &path,
                    Content::Collection(CollectionKind::Calendar {
                        components: default_components(),
                    }),
                );
                Ok(())
            }
            Seed::AddressBook { address, name } => {
                known(&address)?;
                let path = format!("{}/{name}", addressbook_home(principals::user_of(&address)));
                let mut tree = reference
                    .dav_service
                    .tree
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                tree.put(&path, Content::Collection(CollectionKind::Addressbook));
                Ok(())
            }
            Seed::CalendarObject {
                address,
                calendar,
                name,
                body,
            } => {
                known(&address)?;
                let collection = format!(
                    "{}/{calendar}",
                    calendar_home(principals::user_of(&address))
                );
                let path = format!("{collection}/{name}");
                let ctx = seed_ctx(reference, &address);
                let mut tree = ctx.tree();
                let Some(CollectionKind::Calendar { components }) =
                    tree.get(&collection).and_then(|node| node.collection())
                else {
                    return Err(format!("no calendar {calendar} for {address}"));
                };
                let components = components.clone();
                let content = caldav::validate_object(
                    &ctx,
                    &tree,
                    &path,
                    &components,
                    "text/calendar",
                    &Bytes::from(body),
                )
                .map_err(|refused| {
                    format!("calendar object {name}: refused ({})", refused.status())
                })?;
                tree.put(&path, content);
                Ok(())
            }
            Seed::Contact {
                address,
                address_book,
                name,
                body,
            } => {
                known(&address)?;
                let collection = format!(
                    "{}/{address_book}",
                    addressbook_home(principals::user_of(&address))
                );
                let path = format!("{collection}/{name}");
                let ctx = seed_ctx(reference, &address);
                let mut tree = ctx.tree();
                if !matches!(
                    tree.get(&collection).and_then(|node| node.collection()),
                    Some(CollectionKind::Addressbook)
                ) {
                    return Err(format!("no address book {address_book} for {address}"));
                }
                let content =
                    carddav::validate_card(&ctx, &tree, &path, "text/vcard", &Bytes::from(body))
                        .map_err(|refused| {
                            format!("contact {name}: refused ({})", refused.status())
                        })?;
                tree.put(&path, content);
                Ok(())
            }
        }
    }
}

/// The context a DAV request by `address` would have, for the seeds' validation.
fn seed_ctx<'s>(reference: &'s Reference, address: &str) -> Ctx<'s> {
    Ctx {
        service: &reference.dav_service,
        user: principals::user_of(address).to_string(),
        address: address.to_string(),
        limits: reference.dav_service.limits,
    }
}
