//! Unsolicited updates: what other sessions changed in the selected mailbox.

use std::collections::BTreeSet;

use groupwire_imap::response::Data;

use super::Session;
use super::encode::{count, flags_fetch, nz};
use crate::faults::Fault;

impl Session {
    /// Reports what changed in the selected mailbox since this session last looked:
    /// EXPUNGE, EXISTS, FLAGS for new keywords, and FETCH FLAGS (with UID, and MODSEQ once
    /// CONDSTORE is enabled) of changed messages.
    pub(super) fn updates(&mut self) {
        if self.fault(Fault::ImapNoExistsUpdates) {
            return;
        }
        let Some(selected) = self.selected.as_ref() else {
            return;
        };
        let name = selected.name.clone();
        let Some(mailbox) = self
            .with_account(|view| view.mailbox(&name).cloned())
            .ok()
            .flatten()
        else {
            return;
        };
        // New messages: the first session told of them (a read-write one) keeps them
        // \Recent (RFC 3501 §2.3.2).
        let arrived = mailbox
            .messages
            .iter()
            .any(|m| !selected.known.contains_key(&m.uid));
        let newly_recent = if arrived && !self.fault(Fault::ImapRecentNever) {
            self.claim_recent(&name, !selected.read_only)
        } else {
            BTreeSet::new()
        };
        let hide_expunges = self.fault(Fault::ImapOtherSessionExpungeUnseen);
        let hide_flags = self.fault(Fault::ImapOtherSessionFlagsUnseen);
        let with_modseq = self.condstore && !self.fault(Fault::ImapUnsolicitedFetchNoModseq);
        let mut lines = Vec::new();
        let Some(selected) = self.selected.as_mut() else {
            return;
        };
        let current: BTreeSet<u32> = mailbox.messages.iter().map(|m| m.uid).collect();
        let mut index = selected.uids.len();
        while index > 0 && !hide_expunges {
            index -= 1;
            let uid = selected.uids.get(index).copied().unwrap_or(0);
            if !current.contains(&uid) {
                selected.uids.remove(index);
                selected.known.remove(&uid);
                selected.recent.remove(&uid);
                lines.extend(nz(index + 1).map(Data::Expunge));
            }
        }
        let before = selected.uids.len();
        for message in &mailbox.messages {
            if !selected.known.contains_key(&message.uid) {
                selected.uids.push(message.uid);
                selected
                    .known
                    .insert(message.uid, (message.flags.clone(), message.modseq));
            }
        }
        if selected.uids.len() != before {
            lines.push(Data::Exists(count(selected.uids.len())));
            selected.recent.extend(newly_recent);
            lines.push(Data::Recent(count(selected.recent.len())));
        }
        let mut fetches = Vec::new();
        for (seq, uid) in selected.uids.iter().enumerate() {
            let Some(message) = mailbox
                .position_of(*uid)
                .and_then(|p| mailbox.messages.get(p))
            else {
                continue;
            };
            if let Some(known) = selected.known.get_mut(uid)
                && known.0 != message.flags
                && !hide_flags
            {
                *known = (message.flags.clone(), message.modseq);
                fetches.extend(flags_fetch(
                    seq + 1,
                    Some(*uid),
                    &message.flags,
                    selected.recent.contains(uid),
                    with_modseq.then_some(message.modseq),
                ));
            }
        }
        for line in lines {
            self.data(line);
        }
        if !hide_flags {
            self.announce_keywords(&mailbox.keywords);
        }
        for fetch in fetches {
            self.data(fetch);
        }
    }
}
