//! Messages of the selected mailbox: sequence sets resolved, COPY/MOVE and EXPUNGE.

use std::collections::BTreeSet;
use std::sync::Arc;

use groupwire_imap::command::store::{Store, StoreAction};
use groupwire_imap::core::{SequenceSet, Tag};
use groupwire_imap::response::{Code, Status};

use super::Session;
use super::encode::{flag_text, flags_fetch, nz, uid_list};
use crate::faults::Fault;
use crate::store::StoredMessage;

impl Session {
    /// Resolves a sequence set (or UID set) to UIDs present in the session's view.
    pub(super) fn resolve(&self, set: &SequenceSet<'_>, uid: bool) -> Vec<(usize, u32)> {
        let Some(selected) = self.selected.as_ref() else {
            return Vec::new();
        };
        if uid {
            let largest = selected.uids.last().copied().unwrap_or(0);
            selected
                .uids
                .iter()
                .enumerate()
                .filter(|(_, u)| set_contains(set, **u, largest))
                .map(|(i, u)| (i + 1, *u))
                .collect()
        } else {
            let largest = u32::try_from(selected.uids.len()).unwrap_or(u32::MAX);
            (1..=largest)
                .filter(|n| set_contains(set, *n, largest))
                .filter_map(|n| selected.uids.get(n as usize - 1).map(|u| (n as usize, *u)))
                .collect()
        }
    }

    pub(super) fn copy(
        &mut self,
        tag: &Tag<'_>,
        source: &str,
        uid: bool,
        set: &SequenceSet<'_>,
        target: &str,
        is_move: bool,
    ) {
        let targets = self.resolve(set, uid);
        let keep_source = self.fault(Fault::ImapMoveKeepsSource);
        let lost = self.fault(Fault::ImapCopyLost);
        let result = self.with_account(|view| {
            let Some(messages) = view.mailbox(source).map(|m| {
                targets
                    .iter()
                    .filter_map(|(_, u)| m.position_of(*u).and_then(|p| m.messages.get(p)).cloned())
                    .collect::<Vec<StoredMessage>>()
            }) else {
                return Err((Code::NonExistent, "source mailbox vanished"));
            };
            if view.mailbox(target).is_none() {
                return Err((Code::TryCreate, "no such mailbox"));
            }
            let mut pairs = Vec::new();
            let mut validity = 0;
            for message in &messages {
                if lost {
                    continue;
                }
                if let Ok((v, new_uid)) = view.append_with_id(
                    target,
                    Arc::clone(&message.raw),
                    message.flags.clone(),
                    Some(message.internal_date),
                    message.email_id.clone(),
                ) {
                    validity = v;
                    pairs.push((message.uid, new_uid));
                }
            }
            if is_move
                && !keep_source
                && let Some(mailbox) = view.mailbox_mut(source)
            {
                mailbox.highest_modseq += 1;
                let modseq = mailbox.highest_modseq;
                let moved: BTreeSet<u32> = messages.iter().map(|m| m.uid).collect();
                mailbox.messages.retain(|m| !moved.contains(&m.uid));
                mailbox.expunged.extend(moved.iter().map(|u| (*u, modseq)));
            }
            Ok((validity, pairs))
        });
        match result {
            Ok(Ok((validity, pairs))) => {
                let source = uid_list(pairs.iter().map(|(from, _)| *from));
                let destination = uid_list(pairs.iter().map(|(_, to)| *to));
                let copyuid = match (nz(validity), source, destination) {
                    (Some(uid_validity), Some(source), Some(destination))
                        if !self.fault(Fault::ImapNoCopyuid) =>
                    {
                        Some(Code::CopyUid {
                            uid_validity,
                            source,
                            destination,
                        })
                    }
                    _ => None,
                };
                if is_move {
                    if let Some(copyuid) = copyuid {
                        self.untagged_ok(copyuid, "moved");
                    }
                    self.updates();
                    self.tagged(tag, Status::Ok, "MOVE completed");
                } else {
                    self.status(Some(tag), Status::Ok, copyuid, "COPY completed");
                }
            }
            Ok(Err((code, text))) => self.tagged_code(tag, Status::No, code, text),
            Err(error) => self.tagged(tag, Status::No, &error.to_string()),
        }
    }

    pub(super) fn expunge(&mut self, name: &str, only: Option<&[u32]>) {
        let _ = self.with_account(|view| {
            if let Some(mailbox) = view.mailbox_mut(name) {
                mailbox.highest_modseq += 1;
                let modseq = mailbox.highest_modseq;
                let mut gone = Vec::new();
                mailbox.messages.retain(|m| {
                    let remove = m.flags.contains("\\Deleted")
                        && only.is_none_or(|uids| uids.contains(&m.uid));
                    if remove {
                        gone.push(m.uid);
                    }
                    !remove
                });
                mailbox
                    .expunged
                    .extend(gone.into_iter().map(|u| (u, modseq)));
            }
        });
    }
}

/// Whether `n` is in `set`, `*` standing for `largest` (ranges in either order), without
/// enumerating the set (`1:4294967295` is one comparison, not four billion).
pub(super) fn set_contains(set: &SequenceSet<'_>, n: u32, largest: u32) -> bool {
    use groupwire_imap::core::SeqNumber;
    let resolve = |end: SeqNumber| match end {
        SeqNumber::Value(v) => v.get(),
        SeqNumber::Largest => largest,
    };
    set.iter().any(|range| {
        let (a, b) = (resolve(range.start), resolve(range.end));
        a.min(b) <= n && n <= a.max(b)
    })
}

impl Session {
    /// STORE (RFC 9051 §6.4.6), with CONDSTORE's MODSEQ.
    pub(super) fn store(
        &mut self,
        tag: &Tag<'_>,
        name: &str,
        read_only: bool,
        store: Store<'static>,
    ) {
        if read_only {
            self.tagged(tag, Status::No, "mailbox is read-only");
            return;
        }
        let targets = self.resolve(&store.set, store.uid);
        let flags: BTreeSet<String> = if self.fault(Fault::ImapKeywordsDropped) {
            store
                .flags
                .iter()
                .map(flag_text)
                .filter(|f| f.starts_with('\\'))
                .collect()
        } else {
            store.flags.iter().map(flag_text).collect()
        };
        let action = store.action;
        let ignored = self.fault(Fault::ImapStoreIgnored)
            || (action == StoreAction::Remove && self.fault(Fault::ImapStoreRemoveIgnored));
        let static_modseq = self.fault(Fault::ImapModseqStatic);
        if !store.modifiers.is_empty() {
            self.enable_condstore();
        }
        let mut results = Vec::new();
        let mut keywords = BTreeSet::new();
        let _ = self.with_account(|view| {
            if let Some(mailbox) = view.mailbox_mut(name) {
                if !ignored && action != StoreAction::Remove {
                    mailbox.learn_keywords(&flags);
                }
                keywords = mailbox.keywords.clone();
                for (seq, uid) in &targets {
                    let Some(position) = mailbox.position_of(*uid) else {
                        continue;
                    };
                    if !ignored {
                        if !static_modseq {
                            mailbox.highest_modseq += 1;
                        }
                        let modseq = mailbox.highest_modseq;
                        if let Some(message) = mailbox.messages.get_mut(position) {
                            match action {
                                StoreAction::Replace => message.flags = flags.clone(),
                                StoreAction::Add => message.flags.extend(flags.iter().cloned()),
                                StoreAction::Remove => message.flags.retain(|f| !flags.contains(f)),
                            }
                            message.modseq = modseq;
                        }
                    }
                    if let Some(message) = mailbox.messages.get(position) {
                        results.push((*seq, *uid, message.flags.clone(), message.modseq));
                    }
                }
            }
        });
        let silent = store.silent && !self.fault(Fault::ImapStoreSilentNoisy);
        self.announce_keywords(&keywords);
        for (seq, uid, flags, modseq) in results {
            if let Some(selected) = self.selected.as_mut() {
                selected.known.insert(uid, (flags.clone(), modseq));
            }
            if !silent {
                let fetch = flags_fetch(
                    seq,
                    store.uid.then_some(uid),
                    &flags,
                    self.is_recent(uid),
                    self.condstore.then_some(modseq),
                );
                if let Some(fetch) = fetch {
                    self.data(fetch);
                }
            }
        }
        self.tagged(tag, Status::Ok, "STORE completed");
    }
}
