//! The reference servers' mail store: accounts, mailboxes and messages, in memory, shared by
//! every IMAP and submission session so that what one session does the others see.
//!
//! Sessions learn about changes through a generation counter ([`Store::subscribe`]): IMAP IDLE
//! and the untagged EXISTS/EXPUNGE of other sessions wait on it and then diff their view.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::watch;

/// A mailbox's special use (RFC 6154), advertised in LIST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecialUse {
    /// `\Sent`.
    Sent,
    /// `\Drafts`.
    Drafts,
    /// `\Trash`.
    Trash,
    /// `\Junk`.
    Junk,
    /// `\Archive`.
    Archive,
}

impl SpecialUse {
    /// The LIST attribute naming this use.
    pub fn attribute(self) -> &'static str {
        match self {
            SpecialUse::Sent => "\\Sent",
            SpecialUse::Drafts => "\\Drafts",
            SpecialUse::Trash => "\\Trash",
            SpecialUse::Junk => "\\Junk",
            SpecialUse::Archive => "\\Archive",
        }
    }
}

/// One stored message.
#[derive(Debug, Clone)]
pub struct StoredMessage {
    /// Its UID, unique and ascending within the mailbox's UIDVALIDITY.
    pub uid: u32,
    /// System and keyword flags, as written on the wire (`\Seen`, `$Forwarded`).
    pub flags: BTreeSet<String>,
    /// When the store received it, seconds since the Unix epoch.
    pub internal_date: i64,
    /// The raw RFC 5322 message.
    pub raw: Arc<[u8]>,
    /// The modification sequence of its last change (RFC 7162).
    pub modseq: u64,
    /// Its OBJECTID EMAILID (RFC 8474), kept across COPY/MOVE.
    pub email_id: String,
}

/// One mailbox.
#[derive(Debug, Clone)]
pub struct Mailbox {
    /// Its name, `/`-separated; `INBOX` for the inbox.
    pub name: String,
    /// UIDVALIDITY (RFC 9051 §2.3.1.1).
    pub uid_validity: u32,
    /// The UID the next message will get.
    pub uid_next: u32,
    /// The highest modification sequence of any change (RFC 7162).
    pub highest_modseq: u64,
    /// The highest UID some session has already been told of as `\Recent` (RFC 3501
    /// §2.3.2): messages above it are recent to the next session that selects the mailbox.
    pub recent_claimed: u32,
    /// Its messages, in UID order.
    pub messages: Vec<StoredMessage>,
    /// Its special use, if any.
    pub special_use: Option<SpecialUse>,
    /// Whether it is subscribed (LSUB, LIST (SUBSCRIBED)).
    pub subscribed: bool,
    /// Its OBJECTID MAILBOXID (RFC 8474).
    pub mailbox_id: String,
    /// UIDs expunged with the modseq they were expunged at, for QRESYNC VANISHED (EARLIER).
    pub expunged: Vec<(u32, u64)>,
    /// Every keyword ever set on a message of the mailbox, for FLAGS (RFC 9051 §7.3.5).
    pub keywords: BTreeSet<String>,
}

impl Mailbox {
    /// The index of the message with `uid`.
    pub fn position_of(&self, uid: u32) -> Option<usize> {
        self.messages.binary_search_by_key(&uid, |m| m.uid).ok()
    }

    /// How many messages lack `\Seen`.
    pub fn unseen(&self) -> usize {
        self.messages
            .iter()
            .filter(|m| !m.flags.contains("\\Seen"))
            .count()
    }

    /// Records the keywords (flags without a backslash) among `flags`.
    pub fn learn_keywords<'f>(&mut self, flags: impl IntoIterator<Item = &'f String>) {
        for flag in flags {
            if !flag.starts_with('\\') {
                self.keywords.insert(flag.clone());
            }
        }
    }

    /// Total octets of all messages.
    pub fn size(&self) -> u64 {
        self.messages.iter().map(|m| m.raw.len() as u64).sum()
    }
}

/// One user of the reference deployment.
#[derive(Debug, Clone)]
pub struct Account {
    /// Login name, which is also the mail address.
    pub address: String,
    /// Password, in the clear: this is a test fixture.
    pub password: String,
    /// The account's mailboxes by name.
    pub mailboxes: BTreeMap<String, Mailbox>,
    /// Subscriptions to names that have no mailbox (any more): DELETE leaves the
    /// subscription in place (RFC 9051 §6.3.5), LIST shows it `\NonExistent`.
    pub orphan_subscriptions: BTreeSet<String>,
}

/// Why a store operation failed; the servers map each to a protocol reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreError {
    /// No such account.
    NoAccount,
    /// No such mailbox.
    NoMailbox,
    /// The mailbox already exists.
    MailboxExists,
    /// The operation is not allowed on this mailbox (deleting INBOX).
    NotAllowed,
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StoreError::NoAccount => "no such account",
            StoreError::NoMailbox => "no such mailbox",
            StoreError::MailboxExists => "mailbox already exists",
            StoreError::NotAllowed => "operation not allowed",
        })
    }
}

impl std::error::Error for StoreError {}

#[derive(Debug)]
struct Inner {
    accounts: BTreeMap<String, Account>,
    next_uid_validity: u32,
    next_object_id: u64,
}

/// The shared in-memory store.
#[derive(Debug)]
pub struct Store {
    inner: Mutex<Inner>,
    generation: watch::Sender<u64>,
}

/// The mailboxes every new account gets, with their special use.
pub const DEFAULT_MAILBOXES: &[(&str, Option<SpecialUse>)] = &[
    ("INBOX", None),
    ("Sent", Some(SpecialUse::Sent)),
    ("Drafts", Some(SpecialUse::Drafts)),
    ("Trash", Some(SpecialUse::Trash)),
    ("Junk", Some(SpecialUse::Junk)),
    ("Archive", Some(SpecialUse::Archive)),
];

/// Seconds since the Unix epoch, now.
pub fn now_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

impl Store {
    /// An empty store.
    pub fn new() -> Self {
        let (generation, _) = watch::channel(0);
        // UIDVALIDITY from the clock, so a restarted server does not reuse old values.
        let base = u32::try_from(now_seconds() & 0x3fff_ffff)
            .unwrap_or(1)
            .max(1);
        Self {
            inner: Mutex::new(Inner {
                accounts: BTreeMap::new(),
                next_uid_validity: base,
                next_object_id: 1,
            }),
            generation,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A poisoned lock only means another session panicked mid-update; the data is still
        // the best we have for a test fixture.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A receiver that changes whenever any mailbox changes.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.generation.subscribe()
    }

    fn bump(&self) {
        self.generation.send_modify(|g| *g = g.wrapping_add(1));
    }

    /// Adds an account with the default mailboxes.
    pub fn add_account(&self, address: &str, password: &str) {
        let mut inner = self.lock();
        let mut mailboxes = BTreeMap::new();
        for (name, special_use) in DEFAULT_MAILBOXES {
            let mailbox = new_mailbox(&mut inner, name, *special_use);
            mailboxes.insert((*name).to_string(), mailbox);
        }
        inner.accounts.insert(
            address.to_string(),
            Account {
                address: address.to_string(),
                password: password.to_string(),
                mailboxes,
                orphan_subscriptions: BTreeSet::new(),
            },
        );
    }

    /// Whether `address` exists and `password` is its password.
    pub fn authenticate(&self, address: &str, password: &str) -> bool {
        self.lock()
            .accounts
            .get(address)
            .is_some_and(|a| a.password == password)
    }

    /// The password of an account (the reference keeps them in plain text; SCRAM derives
    /// its keys from it per exchange).
    pub fn password(&self, address: &str) -> Option<String> {
        self.lock()
            .accounts
            .get(address)
            .map(|a| a.password.clone())
    }

    /// Whether an account with this address exists.
    pub fn has_account(&self, address: &str) -> bool {
        self.lock().accounts.contains_key(address)
    }

    /// Runs `f` on one account, for reads and multi-step updates; bumps the change counter
    /// when `f` returns `changed == true`.
    pub fn with_account<T>(
        &self,
        address: &str,
        f: impl FnOnce(&mut AccountView<'_>) -> T,
    ) -> Result<T, StoreError> {
        let mut inner = self.lock();
        let Inner {
            accounts,
            next_uid_validity,
            next_object_id,
        } = &mut *inner;
        let account = accounts.get_mut(address).ok_or(StoreError::NoAccount)?;
        let mut view = AccountView {
            account,
            next_uid_validity,
            next_object_id,
            changed: false,
        };
        let result = f(&mut view);
        let changed = view.changed;
        drop(inner);
        if changed {
            self.bump();
        }
        Ok(result)
    }

    /// Appends a message to `mailbox` of `address`, returning (UIDVALIDITY, UID).
    pub fn append(
        &self,
        address: &str,
        mailbox: &str,
        raw: Arc<[u8]>,
        flags: BTreeSet<String>,
        internal_date: Option<i64>,
    ) -> Result<(u32, u32), StoreError> {
        self.with_account(address, |view| {
            view.append(mailbox, raw, flags, internal_date)
        })?
    }
}

fn new_mailbox(inner: &mut Inner, name: &str, special_use: Option<SpecialUse>) -> Mailbox {
    let uid_validity = inner.next_uid_validity;
    inner.next_uid_validity = inner.next_uid_validity.wrapping_add(1).max(1);
    let id = inner.next_object_id;
    inner.next_object_id += 1;
    Mailbox {
        name: name.to_string(),
        uid_validity,
        uid_next: 1,
        highest_modseq: 1,
        recent_claimed: 0,
        messages: Vec::new(),
        special_use,
        subscribed: true,
        mailbox_id: format!("M{id:08x}"),
        expunged: Vec::new(),
        keywords: BTreeSet::new(),
    }
}

/// Mutable access to one account inside [`Store::with_account`].
#[derive(Debug)]
pub struct AccountView<'s> {
    account: &'s mut Account,
    next_uid_validity: &'s mut u32,
    next_object_id: &'s mut u64,
    changed: bool,
}

impl AccountView<'_> {
    /// The account.
    pub fn account(&self) -> &Account {
        self.account
    }

    /// A mailbox by name (`INBOX` matched case-insensitively).
    pub fn mailbox(&self, name: &str) -> Option<&Mailbox> {
        self.account.mailboxes.get(&canonical_name(name))
    }

    /// A mailbox by name, for a change; marks the store changed.
    pub fn mailbox_mut(&mut self, name: &str) -> Option<&mut Mailbox> {
        self.changed = true;
        self.account.mailboxes.get_mut(&canonical_name(name))
    }

    /// Marks the store changed, so waiting sessions wake.
    pub fn mark_changed(&mut self) {
        self.changed = true;
    }

    /// A fresh OBJECTID.
    pub fn new_object_id(&mut self, prefix: char) -> String {
        let id = *self.next_object_id;
        *self.next_object_id += 1;
        format!("{prefix}{id:08x}")
    }

    /// Creates a mailbox.
    pub fn create(&mut self, name: &str) -> Result<(), StoreError> {
        let name = canonical_name(name);
        if self.account.mailboxes.contains_key(&name) {
            return Err(StoreError::MailboxExists);
        }
        let uid_validity = *self.next_uid_validity;
        *self.next_uid_validity = uid_validity.wrapping_add(1).max(1);
        let mailbox_id = self.new_object_id('M');
        let subscribed = self.account.orphan_subscriptions.remove(&name);
        self.account.mailboxes.insert(
            name.clone(),
            Mailbox {
                name,
                uid_validity,
                uid_next: 1,
                highest_modseq: 1,
                recent_claimed: 0,
                messages: Vec::new(),
                special_use: None,
                subscribed,
                mailbox_id,
                expunged: Vec::new(),
                keywords: BTreeSet::new(),
            },
        );
        self.changed = true;
        Ok(())
    }

    /// Deletes a mailbox (not INBOX).
    pub fn delete(&mut self, name: &str) -> Result<(), StoreError> {
        let name = canonical_name(name);
        if name == "INBOX" {
            return Err(StoreError::NotAllowed);
        }
        let removed = self
            .account
            .mailboxes
            .remove(&name)
            .ok_or(StoreError::NoMailbox)?;
        if removed.subscribed {
            self.account.orphan_subscriptions.insert(name);
        }
        self.changed = true;
        Ok(())
    }

    /// Renames a mailbox (not INBOX).
    pub fn rename(&mut self, from: &str, to: &str) -> Result<(), StoreError> {
        let from = canonical_name(from);
        let to = canonical_name(to);
        if from == "INBOX" {
            return Err(StoreError::NotAllowed);
        }
        if self.account.mailboxes.contains_key(&to) {
            return Err(StoreError::MailboxExists);
        }
        let mut mailbox = self
            .account
            .mailboxes
            .remove(&from)
            .ok_or(StoreError::NoMailbox)?;
        mailbox.name.clone_from(&to);
        self.account.mailboxes.insert(to, mailbox);
        self.changed = true;
        Ok(())
    }

    /// Appends a message, returning (UIDVALIDITY, UID).
    pub fn append(
        &mut self,
        mailbox: &str,
        raw: Arc<[u8]>,
        flags: BTreeSet<String>,
        internal_date: Option<i64>,
    ) -> Result<(u32, u32), StoreError> {
        let email_id = self.new_object_id('E');
        self.append_with_id(mailbox, raw, flags, internal_date, email_id)
    }

    /// Appends a message keeping its EMAILID (COPY, MOVE), returning (UIDVALIDITY, UID).
    pub fn append_with_id(
        &mut self,
        mailbox: &str,
        raw: Arc<[u8]>,
        flags: BTreeSet<String>,
        internal_date: Option<i64>,
        email_id: String,
    ) -> Result<(u32, u32), StoreError> {
        let target = self
            .account
            .mailboxes
            .get_mut(&canonical_name(mailbox))
            .ok_or(StoreError::NoMailbox)?;
        let uid = target.uid_next;
        target.uid_next += 1;
        target.highest_modseq += 1;
        target.learn_keywords(&flags);
        target.messages.push(StoredMessage {
            uid,
            flags,
            internal_date: internal_date.unwrap_or_else(now_seconds),
            raw,
            modseq: target.highest_modseq,
            email_id,
        });
        self.changed = true;
        Ok((target.uid_validity, uid))
    }
}

/// Mailbox names are case-sensitive except INBOX (RFC 9051 §5.1).
pub fn canonical_name(name: &str) -> String {
    if name.eq_ignore_ascii_case("INBOX") {
        "INBOX".to_string()
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_assigns_ascending_uids_and_wakes_subscribers() {
        let store = Store::new();
        store.add_account("a@example.test", "pw");
        let mut changes = store.subscribe();
        let (validity, first) = store
            .append(
                "a@example.test",
                "inbox",
                Arc::from(&b"x"[..]),
                BTreeSet::new(),
                None,
            )
            .unwrap();
        let (validity2, second) = store
            .append(
                "a@example.test",
                "INBOX",
                Arc::from(&b"y"[..]),
                BTreeSet::new(),
                None,
            )
            .unwrap();
        assert_eq!((first, second), (1, 2));
        assert_eq!(validity, validity2);
        assert!(changes.has_changed().unwrap());
        changes.borrow_and_update();
        assert!(!changes.has_changed().unwrap());
    }

    #[test]
    fn authentication_checks_the_password() {
        let store = Store::new();
        store.add_account("a@example.test", "pw");
        assert!(store.authenticate("a@example.test", "pw"));
        assert!(!store.authenticate("a@example.test", "nope"));
        assert!(!store.authenticate("b@example.test", "pw"));
    }

    #[test]
    fn inbox_cannot_be_deleted_and_names_are_unique() {
        let store = Store::new();
        store.add_account("a", "pw");
        store
            .with_account("a", |view| {
                assert_eq!(view.delete("inbox"), Err(StoreError::NotAllowed));
                assert_eq!(view.create("Sent"), Err(StoreError::MailboxExists));
                view.create("Work").unwrap();
                view.rename("Work", "Play").unwrap();
                assert!(view.mailbox("Play").is_some());
                assert!(view.mailbox("Work").is_none());
            })
            .unwrap();
    }
}
