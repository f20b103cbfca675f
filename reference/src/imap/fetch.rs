//! FETCH: the attributes of one message.

use groupwire_imap::command::fetch::{
    FetchAttributeName, FetchCommand, FetchItems, Section, SectionText,
};
use groupwire_imap::core::{Atom, IString, Literal, Tag};
use groupwire_imap::response::envelope::Envelope;
use groupwire_imap::response::fetch::{Fetch, FetchAttribute};
use groupwire_imap::response::{Data, Status};

use super::Session;
use super::encode::{internal_date, message_flags, nz};
use crate::faults::Fault;
use crate::mime;
use crate::store::{Mailbox, StoredMessage};

impl Session {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn fetch_one(
        &mut self,
        name: &str,
        seq: usize,
        uid: u32,
        items: &[FetchAttributeName<'static>],
        by_uid: bool,
        read_only: bool,
        changed_since: Option<u64>,
    ) -> Option<Fetch<'static>> {
        let sets_seen = !read_only
            && items.iter().any(|i| {
                matches!(
                    i,
                    FetchAttributeName::BodySection { peek: false, .. }
                        | FetchAttributeName::Rfc822
                        | FetchAttributeName::Rfc822Text
                )
            })
            && !self.fault(Fault::ImapBodyNoSeen)
            || self.fault(Fault::ImapPeekSetsSeen) && !read_only;
        let message: StoredMessage = self
            .with_account(|view| {
                let mailbox: &mut Mailbox = view.mailbox_mut(name)?;
                let position = mailbox.position_of(uid)?;
                if sets_seen && !mailbox.messages.get(position)?.flags.contains("\\Seen") {
                    mailbox.highest_modseq += 1;
                    let modseq = mailbox.highest_modseq;
                    let message = mailbox.messages.get_mut(position)?;
                    message.flags.insert("\\Seen".to_string());
                    message.modseq = modseq;
                }
                mailbox.messages.get(position).cloned()
            })
            .ok()
            .flatten()?;
        if changed_since.is_some_and(|since| message.modseq <= since) {
            return None;
        }
        if let Some(selected) = self.selected.as_mut() {
            selected
                .known
                .insert(uid, (message.flags.clone(), message.modseq));
        }
        let raw = &message.raw;
        let literal = |data: Vec<u8>| Some(IString::Literal(Literal::new(data)));
        let flags =
            || FetchAttribute::Flags(message_flags(&message.flags, self.is_recent(uid)).into());
        let mut attributes: Vec<FetchAttribute<'static>> = Vec::new();
        let mut has_uid = false;
        for item in items {
            match item {
                FetchAttributeName::Uid => {
                    has_uid = true;
                    let uid = if self.fault(Fault::ImapFetchWrongUid) {
                        uid + 1000
                    } else {
                        uid
                    };
                    attributes.extend(nz(uid).map(FetchAttribute::Uid));
                }
                FetchAttributeName::Flags if !self.fault(Fault::ImapFetchNoFlags) => {
                    attributes.push(flags());
                }
                FetchAttributeName::InternalDate if !self.fault(Fault::ImapFetchNoInternaldate) => {
                    attributes.push(FetchAttribute::InternalDate(internal_date(
                        message.internal_date,
                    )));
                }
                FetchAttributeName::Rfc822Size => {
                    let size = raw.len() + usize::from(self.fault(Fault::ImapFetchWrongSize)) * 7;
                    attributes.push(FetchAttribute::Rfc822Size(size as u64));
                }
                FetchAttributeName::Envelope => {
                    let envelope = if self.fault(Fault::ImapEnvelopeWrong) {
                        Envelope {
                            date: None,
                            subject: None,
                            from: None,
                            sender: None,
                            reply_to: None,
                            to: None,
                            cc: None,
                            bcc: None,
                            in_reply_to: None,
                            message_id: None,
                        }
                    } else {
                        mime::envelope_with(raw, self.fault(Fault::ImapEnvelopeFlatAddresses))
                    };
                    attributes.push(FetchAttribute::Envelope(Box::new(envelope)));
                }
                FetchAttributeName::BodyStructure | FetchAttributeName::Body => {
                    let body = matches!(item, FetchAttributeName::Body);
                    let structure = if self.fault(Fault::ImapBodystructureFlat) {
                        mime::text_plain(raw.len(), 0, true)
                    } else if body && !self.fault(Fault::ImapBodyExtensionData) {
                        mime::body(raw)
                    } else {
                        mime::bodystructure(raw)
                    };
                    attributes.push(if body {
                        FetchAttribute::Body(Box::new(structure))
                    } else {
                        FetchAttribute::BodyStructure(Box::new(structure))
                    });
                }
                FetchAttributeName::ModSeq => {
                    attributes.push(FetchAttribute::ModSeq(message.modseq));
                }
                FetchAttributeName::EmailId if !self.fault(Fault::ImapNoObjectid) => {
                    let id = Atom::new(message.email_id.clone());
                    attributes.extend(id.map(FetchAttribute::EmailId));
                }
                FetchAttributeName::ThreadId => attributes.push(FetchAttribute::ThreadId(None)),
                FetchAttributeName::Rfc822 => {
                    attributes.push(FetchAttribute::Rfc822(literal(raw.to_vec())));
                }
                FetchAttributeName::Rfc822Header => {
                    let data = mime::section(raw, &[], Some("HEADER"));
                    attributes.push(FetchAttribute::Rfc822Header(literal(data)));
                }
                FetchAttributeName::Rfc822Text => {
                    let data = mime::section(raw, &[], Some("TEXT"));
                    attributes.push(FetchAttribute::Rfc822Text(literal(data)));
                }
                FetchAttributeName::BodySection {
                    section, partial, ..
                } => {
                    let numbers: Vec<u32> = section.part.iter().map(|n| n.get()).collect();
                    let flat = self.fault(Fault::ImapRfc822PartsFlat);
                    let cut = |text: Option<&str>| {
                        if flat {
                            mime::section_flat(raw, &numbers, text)
                        } else {
                            mime::section(raw, &numbers, text)
                        }
                    };
                    // The section as the response names it: header field names upper-cased.
                    let (label, mut data) = match &section.text {
                        None => (None, cut(None)),
                        Some(SectionText::Header) => {
                            (Some(SectionText::Header), cut(Some("HEADER")))
                        }
                        Some(SectionText::Text) => (Some(SectionText::Text), cut(Some("TEXT"))),
                        Some(SectionText::Mime) => (Some(SectionText::Mime), cut(Some("MIME"))),
                        Some(SectionText::HeaderFields(names))
                        | Some(SectionText::HeaderFieldsNot(names)) => {
                            let not = matches!(section.text, Some(SectionText::HeaderFieldsNot(_)));
                            let names: Vec<String> = names
                                .iter()
                                .map(|n| n.to_str_lossy().to_ascii_uppercase())
                                .collect();
                            let data = if self.fault(Fault::ImapFetchHeaderFieldsAll) {
                                mime::section(raw, &[], Some("HEADER"))
                            } else {
                                let holder = if flat {
                                    raw.to_vec()
                                } else {
                                    mime::section_message(raw, &numbers)
                                };
                                mime::header_fields(&holder, &names, not)
                            };
                            let names: Vec<IString<'static>> = names
                                .iter()
                                .map(|n| match Atom::new(n.clone()) {
                                    Some(atom) => IString::Atom(atom),
                                    None => IString::from(n.as_str()),
                                })
                                .collect();
                            let label = if not {
                                SectionText::HeaderFieldsNot(names.into())
                            } else {
                                SectionText::HeaderFields(names.into())
                            };
                            (Some(label), data)
                        }
                    };
                    if numbers.is_empty()
                        && section.text.is_none()
                        && self.fault(Fault::ImapFetchBodyTruncated)
                    {
                        data.truncate(data.len() / 2);
                    }
                    if matches!(section.text, Some(SectionText::Header))
                        && numbers.is_empty()
                        && self.fault(Fault::ImapFetchHeaderWrong)
                    {
                        data = b"X-Nothing: here\r\n\r\n".to_vec();
                    }
                    if matches!(section.text, Some(SectionText::Text))
                        && self.fault(Fault::ImapFetchTextWrong)
                    {
                        data = raw.to_vec();
                    }
                    if !numbers.is_empty() && self.fault(Fault::ImapFetchPartWrong) {
                        data = raw.to_vec();
                    }
                    let origin = match partial {
                        Some((start, length)) => {
                            let start = (*start as usize).min(data.len());
                            let end = (start + length.get() as usize).min(data.len());
                            data = data.get(start..end).unwrap_or_default().to_vec();
                            Some(u32::try_from(start).unwrap_or(u32::MAX))
                        }
                        None => None,
                    };
                    attributes.push(FetchAttribute::BodySection {
                        section: Section {
                            part: section.part.clone(),
                            text: label,
                        },
                        origin,
                        data: literal(data),
                    });
                }
                _ => {}
            }
        }
        if by_uid && !has_uid {
            attributes.splice(0..0, nz(uid).map(FetchAttribute::Uid));
        }
        if sets_seen && !items.iter().any(|i| matches!(i, FetchAttributeName::Flags)) {
            attributes.push(flags());
        }
        if self.condstore
            && !items
                .iter()
                .any(|i| matches!(i, FetchAttributeName::ModSeq))
        {
            attributes.push(FetchAttribute::ModSeq(message.modseq));
        }
        Some(Fetch {
            seq: nz(seq)?,
            attributes: attributes.into(),
        })
    }
}

impl Session {
    /// FETCH (RFC 9051 §6.4.5): one FETCH response per message, in sequence order.
    pub(super) fn fetch(
        &mut self,
        tag: &Tag<'_>,
        name: &str,
        read_only: bool,
        fetch: FetchCommand<'static>,
    ) {
        let targets = self.resolve(&fetch.set, fetch.uid);
        let items = match fetch.items {
            FetchItems::All => vec![
                FetchAttributeName::Flags,
                FetchAttributeName::InternalDate,
                FetchAttributeName::Rfc822Size,
                FetchAttributeName::Envelope,
            ],
            FetchItems::Fast => vec![
                FetchAttributeName::Flags,
                FetchAttributeName::InternalDate,
                FetchAttributeName::Rfc822Size,
            ],
            FetchItems::Full => vec![
                FetchAttributeName::Flags,
                FetchAttributeName::InternalDate,
                FetchAttributeName::Rfc822Size,
                FetchAttributeName::Envelope,
                FetchAttributeName::Body,
            ],
            FetchItems::Attributes(items) => items,
        };
        let changed_since = fetch.modifiers.iter().find_map(|m| match m {
            groupwire_imap::command::fetch::FetchModifier::ChangedSince(n) => Some(*n),
            _ => None,
        });
        if (changed_since.is_some()
            || items
                .iter()
                .any(|i| matches!(i, FetchAttributeName::ModSeq)))
            && !self.fault(Fault::ImapCondstoreNotEnabledByFetch)
        {
            self.enable_condstore();
        }
        // Keywords another session set since this one last looked are announced before
        // a FETCH shows them (RFC 9051 §7.3.5).
        let keywords = self
            .with_account(|view| view.mailbox(name).map(|m| m.keywords.clone()))
            .ok()
            .flatten()
            .unwrap_or_default();
        self.announce_keywords(&keywords);
        for (seq, uid) in targets {
            let response =
                self.fetch_one(name, seq, uid, &items, fetch.uid, read_only, changed_since);
            if let Some(response) = response {
                self.data(Data::Fetch(response));
            }
        }
        self.tagged(tag, Status::Ok, "FETCH completed");
    }
}
