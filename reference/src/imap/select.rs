//! SELECT and EXAMINE, with the keyword and CONDSTORE announcements they share with
//! later commands.

use std::collections::BTreeSet;

use groupwire_imap::core::{Atom, Flag, Tag};
use groupwire_imap::response::{Code, Data, Status};

use super::encode::{count, flag_list, flags_fetch, nz, uid_list};
use super::{Selected, Session};
use crate::faults::Fault;

impl Session {
    /// The UIDs of `name` no session has been told of as `\Recent` yet; with `claim` they
    /// become this session's (no other session will see them recent).
    pub(super) fn claim_recent(&self, name: &str, claim: bool) -> BTreeSet<u32> {
        self.with_account(|view| {
            let mailbox = view.mailbox_mut(name)?;
            let recent: BTreeSet<u32> = mailbox
                .messages
                .iter()
                .map(|m| m.uid)
                .filter(|uid| *uid > mailbox.recent_claimed)
                .collect();
            if claim && let Some(last) = recent.last() {
                mailbox.recent_claimed = *last;
            }
            Some(recent)
        })
        .ok()
        .flatten()
        .unwrap_or_default()
    }

    pub(super) fn select(
        &mut self,
        tag: &Tag<'_>,
        name: &str,
        read_only: bool,
        condstore: bool,
        qresync: Option<(u32, u64)>,
    ) {
        self.selected = None;
        if condstore {
            self.condstore = true;
        }
        let mailbox = self
            .with_account(|view| view.mailbox(name).cloned())
            .ok()
            .flatten();
        let mailbox = match mailbox {
            Some(mailbox) => mailbox,
            None if self.fault(Fault::ImapSelectCreates) => {
                let _ = self.with_account(|view| view.create(name));
                match self
                    .with_account(|view| view.mailbox(name).cloned())
                    .ok()
                    .flatten()
                {
                    Some(m) => m,
                    None => {
                        self.tagged_code(tag, Status::No, Code::NonExistent, "no such mailbox");
                        return;
                    }
                }
            }
            None => {
                self.tagged_code(tag, Status::No, Code::NonExistent, "no such mailbox");
                return;
            }
        };
        let keywords = if self.fault(Fault::ImapKeywordsNotInFlags) {
            BTreeSet::new()
        } else {
            mailbox.keywords.clone()
        };
        if !self.fault(Fault::ImapSelectNoFlags) {
            self.data(Data::Flags(flag_list(&keywords, false).into()));
        }
        if !self.fault(Fault::ImapSelectNoExists) {
            self.data(Data::Exists(count(mailbox.messages.len())));
        }
        // \Recent (RFC 3501 §2.3.2): the messages no session has been told of are recent
        // here; SELECT claims them for this session, EXAMINE leaves them recent.
        let recent: BTreeSet<u32> = if self.fault(Fault::ImapRecentNever) {
            BTreeSet::new()
        } else {
            self.claim_recent(&mailbox.name, !read_only)
        };
        self.data(Data::Recent(count(recent.len())));
        if !self.fault(Fault::ImapSelectNoUidvalidity) {
            let validity = if self.fault(Fault::ImapUidvalidityChanges) {
                static SELECTS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
                let bump = SELECTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                mailbox.uid_validity.wrapping_add(bump).max(1)
            } else {
                mailbox.uid_validity
            };
            if let Some(validity) = nz(validity) {
                self.untagged_ok(Code::UidValidity(validity), "UIDs valid");
            }
        }
        // The first unseen message (RFC 3501 §6.3.1, dropped by RFC 9051 but harmless).
        let first_unseen = mailbox
            .messages
            .iter()
            .position(|m| !m.flags.contains("\\Seen"));
        if let Some(first) = first_unseen.and_then(|i| nz(i + 1)) {
            self.untagged_ok(Code::Unseen(first), "first unseen");
        }
        if !self.fault(Fault::ImapSelectNoUidnext)
            && let Some(next) = nz(mailbox.uid_next)
        {
            self.untagged_ok(Code::UidNext(next), "predicted next UID");
        }
        if !self.fault(Fault::ImapSelectNoPermanentflags) {
            let flags = self.permanent_flags(&keywords);
            self.untagged_ok(Code::PermanentFlags(flags.into()), "flags permitted");
        }
        if self.condstore && !self.fault(Fault::ImapNoHighestmodseq) {
            self.untagged_ok(Code::HighestModSeq(mailbox.highest_modseq), "highest");
        }
        if !self.fault(Fault::ImapNoObjectid)
            && let Some(id) = Atom::new(mailbox.mailbox_id.clone())
        {
            self.untagged_ok(Code::MailboxId(id), "mailbox id");
        }
        if let Some((validity, modseq)) = qresync
            && self.qresync
            && validity == mailbox.uid_validity
            && !self.fault(Fault::ImapQresyncNoVanished)
        {
            let vanished = mailbox
                .expunged
                .iter()
                .filter(|(_, at)| *at > modseq)
                .map(|(uid, _)| *uid);
            if let Some(uids) = uid_list(vanished) {
                self.data(Data::Vanished {
                    earlier: true,
                    uids,
                });
            }
        }
        // RFC 7162 §3.2.5.1: the flag changes since the client's MODSEQ, as FETCH with UIDs.
        if let Some((validity, modseq)) = qresync
            && self.qresync
            && validity == mailbox.uid_validity
        {
            for (index, message) in mailbox.messages.iter().enumerate() {
                if message.modseq > modseq {
                    let fetch = flags_fetch(
                        index + 1,
                        Some(message.uid),
                        &message.flags,
                        recent.contains(&message.uid),
                        Some(message.modseq),
                    );
                    if let Some(fetch) = fetch {
                        self.data(fetch);
                    }
                }
            }
        }
        let code = match (
            read_only,
            self.fault(Fault::ImapExamineReadWrite),
            self.fault(Fault::ImapSelectNoReadWrite),
        ) {
            (true, false, _) | (false, _, true) => Code::ReadOnly,
            _ => Code::ReadWrite,
        };
        self.selected = Some(Selected {
            name: mailbox.name.clone(),
            read_only,
            uids: mailbox.messages.iter().map(|m| m.uid).collect(),
            known: mailbox
                .messages
                .iter()
                .map(|m| (m.uid, (m.flags.clone(), m.modseq)))
                .collect(),
            recent,
            keywords,
        });
        let text = if read_only {
            "EXAMINE completed"
        } else {
            "SELECT completed"
        };
        self.tagged_code(tag, Status::Ok, code, text);
    }

    /// PERMANENTFLAGS: the system flags, the mailbox's keywords and `\*`.
    pub(super) fn permanent_flags(&self, keywords: &BTreeSet<String>) -> Vec<Flag<'static>> {
        if self.fault(Fault::ImapPermanentflagsNoKeywords) {
            flag_list(&BTreeSet::new(), false)
        } else {
            flag_list(keywords, true)
        }
    }

    /// Announces keywords new to this session with an untagged FLAGS (and PERMANENTFLAGS),
    /// before any FETCH that shows them (RFC 9051 §7.3.5).
    pub(super) fn announce_keywords(&mut self, keywords: &BTreeSet<String>) {
        if self.fault(Fault::ImapNewKeywordNoFlags) || self.fault(Fault::ImapKeywordsNotInFlags) {
            return;
        }
        let Some(selected) = self.selected.as_mut() else {
            return;
        };
        if keywords.is_subset(&selected.keywords) {
            return;
        }
        selected.keywords.extend(keywords.iter().cloned());
        let known = selected.keywords.clone();
        self.data(Data::Flags(flag_list(&known, false).into()));
        if !self.fault(Fault::ImapSelectNoPermanentflags) {
            let flags = self.permanent_flags(&known);
            self.untagged_ok(Code::PermanentFlags(flags.into()), "flags permitted");
        }
    }

    /// Enables CONDSTORE on a CONDSTORE enabling command (RFC 7162 §3.1): the first one with
    /// a mailbox selected reports its HIGHESTMODSEQ.
    pub(super) fn enable_condstore(&mut self) {
        if self.condstore {
            return;
        }
        self.condstore = true;
        let Some(name) = self.selected.as_ref().map(|s| s.name.clone()) else {
            return;
        };
        let highest = self
            .with_account(|view| view.mailbox(&name).map(|m| m.highest_modseq))
            .ok()
            .flatten();
        if let Some(highest) = highest
            && !self.fault(Fault::ImapNoHighestmodseq)
        {
            self.untagged_ok(Code::HighestModSeq(highest), "highest");
        }
    }
}
