//! FETCH: the attributes of one message.

use groupwire_imap::command::fetch::{FetchAttributeName, SectionText};

use super::Session;
use super::encode::{date_time, flags_text};
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
    ) -> Option<Vec<u8>> {
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
        let mut parts: Vec<Vec<u8>> = Vec::new();
        let text = |s: String| s.into_bytes();
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
                    parts.push(text(format!("UID {uid}")));
                }
                FetchAttributeName::Flags if !self.fault(Fault::ImapFetchNoFlags) => {
                    parts.push(text(format!(
                        "FLAGS ({})",
                        flags_text(&message.flags, self.is_recent(uid))
                    )));
                }
                FetchAttributeName::InternalDate if !self.fault(Fault::ImapFetchNoInternaldate) => {
                    parts.push(text(format!(
                        "INTERNALDATE \"{}\"",
                        date_time(message.internal_date)
                    )));
                }
                FetchAttributeName::Rfc822Size => {
                    let size = raw.len() + usize::from(self.fault(Fault::ImapFetchWrongSize)) * 7;
                    parts.push(text(format!("RFC822.SIZE {size}")));
                }
                FetchAttributeName::Envelope => {
                    let envelope = if self.fault(Fault::ImapEnvelopeWrong) {
                        "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)".to_string()
                    } else {
                        mime::envelope_with(raw, self.fault(Fault::ImapEnvelopeFlatAddresses))
                    };
                    parts.push(text(format!("ENVELOPE {envelope}")));
                }
                FetchAttributeName::BodyStructure | FetchAttributeName::Body => {
                    let structure = if self.fault(Fault::ImapBodystructureFlat) {
                        format!(
                            "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" {} 0 NIL NIL NIL NIL)",
                            raw.len()
                        )
                    } else if matches!(item, FetchAttributeName::Body)
                        && !self.fault(Fault::ImapBodyExtensionData)
                    {
                        mime::body(raw)
                    } else {
                        mime::bodystructure(raw)
                    };
                    let name = if matches!(item, FetchAttributeName::Body) {
                        "BODY"
                    } else {
                        "BODYSTRUCTURE"
                    };
                    parts.push(text(format!("{name} {structure}")));
                }
                FetchAttributeName::ModSeq => {
                    parts.push(text(format!("MODSEQ ({})", message.modseq)));
                }
                FetchAttributeName::EmailId if !self.fault(Fault::ImapNoObjectid) => {
                    parts.push(text(format!("EMAILID ({})", message.email_id)));
                }
                FetchAttributeName::ThreadId => parts.push(text("THREADID NIL".to_string())),
                FetchAttributeName::Rfc822
                | FetchAttributeName::Rfc822Header
                | FetchAttributeName::Rfc822Text => {
                    let (label, data) = match item {
                        FetchAttributeName::Rfc822 => ("RFC822", raw.to_vec()),
                        FetchAttributeName::Rfc822Header => {
                            ("RFC822.HEADER", mime::section(raw, &[], Some("HEADER")))
                        }
                        _ => ("RFC822.TEXT", mime::section(raw, &[], Some("TEXT"))),
                    };
                    let mut part = format!("{label} {{{}}}\r\n", data.len()).into_bytes();
                    part.extend_from_slice(&data);
                    parts.push(part);
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
                    let (label_text, mut data) = match &section.text {
                        None => (String::new(), cut(None)),
                        Some(SectionText::Header) => ("HEADER".to_string(), cut(Some("HEADER"))),
                        Some(SectionText::Text) => ("TEXT".to_string(), cut(Some("TEXT"))),
                        Some(SectionText::Mime) => ("MIME".to_string(), cut(Some("MIME"))),
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
                            (
                                format!(
                                    "HEADER.FIELDS{} ({})",
                                    if not { ".NOT" } else { "" },
                                    names.join(" ")
                                ),
                                data,
                            )
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
                    let mut label = numbers
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(".");
                    if !label_text.is_empty() {
                        if !label.is_empty() {
                            label.push('.');
                        }
                        label.push_str(&label_text);
                    }
                    let origin = match partial {
                        Some((start, length)) => {
                            let start = (*start as usize).min(data.len());
                            let end = (start + length.get() as usize).min(data.len());
                            data = data.get(start..end).unwrap_or_default().to_vec();
                            format!("<{start}>")
                        }
                        None => String::new(),
                    };
                    let mut part =
                        format!("BODY[{label}]{origin} {{{}}}\r\n", data.len()).into_bytes();
                    part.extend_from_slice(&data);
                    parts.push(part);
                }
                _ => {}
            }
        }
        if by_uid && !has_uid {
            parts.insert(0, text(format!("UID {uid}")));
        }
        if sets_seen && !items.iter().any(|i| matches!(i, FetchAttributeName::Flags)) {
            parts.push(text(format!(
                "FLAGS ({})",
                flags_text(&message.flags, self.is_recent(uid))
            )));
        }
        if self.condstore
            && !items
                .iter()
                .any(|i| matches!(i, FetchAttributeName::ModSeq))
        {
            parts.push(text(format!("MODSEQ ({})", message.modseq)));
        }
        let mut line = format!("* {seq} FETCH (").into_bytes();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                line.push(b' ');
            }
            line.extend_from_slice(part);
        }
        line.extend_from_slice(b")\r\n");
        Some(line)
    }
}
