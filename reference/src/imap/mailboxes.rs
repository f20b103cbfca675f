//! Mailbox management: CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, STATUS and APPEND.

use std::collections::BTreeSet;
use std::sync::Arc;

use groupwire_imap::IntoOwned;
use groupwire_imap::command::append::Append;
use groupwire_imap::command::mailbox::{Create, StatusCommand, StatusItemName};
use groupwire_imap::core::{Atom, Mailbox as MailboxName, Tag};
use groupwire_imap::response::mailbox_status::StatusItem;
use groupwire_imap::response::{Code, Data, MailboxStatus, Status};

use super::encode::{count, date_time_seconds, flag_text, mailbox_text, nz, uid_list, wire_name};
use super::{APPEND_LIMIT, Session};
use crate::faults::Fault;

impl Session {
    /// CREATE (RFC 9051 §6.3.4).
    pub(super) fn create(&mut self, tag: &Tag<'_>, create: Create<'static>) {
        let mut name = mailbox_text(&create.mailbox);
        // A trailing hierarchy separator only declares the intent to create names
        // below (RFC 9051 §6.3.4): the mailbox is created without it.
        if !self.fault(Fault::ImapCreateKeepsSeparator) {
            while name.len() > 1 && name.ends_with('/') {
                name.pop();
            }
        }
        let result = if self.fault(Fault::ImapCreateIgnored) {
            Ok(())
        } else {
            self.with_account(|view| {
                // The superior names the new one needs are created too (RFC 3501
                // §6.3.3: the server SHOULD create them).
                let mut at = 0;
                while let Some(slash) = name.get(at + 1..).and_then(|r| r.find('/')) {
                    let superior = name.get(..at + 1 + slash).unwrap_or_default();
                    if superior.len() + 1 < name.len() && view.mailbox(superior).is_none() {
                        let _ = view.create(superior);
                    }
                    at += slash + 1;
                }
                view.create(&name)
            })
            .and_then(|r| r)
        };
        match result {
            Ok(()) => self.tagged(tag, Status::Ok, "CREATE completed"),
            Err(error) => {
                self.tagged_code(tag, Status::No, Code::AlreadyExists, &error.to_string())
            }
        }
    }

    /// DELETE (RFC 9051 §6.3.5).
    pub(super) fn delete(&mut self, tag: &Tag<'_>, name: MailboxName<'static>) {
        let name = mailbox_text(&name);
        match self.with_account(|view| view.delete(&name)).and_then(|r| r) {
            Ok(()) => self.tagged(tag, Status::Ok, "DELETE completed"),
            Err(error) => self.tagged_code(tag, Status::No, Code::NonExistent, &error.to_string()),
        }
    }

    /// RENAME (RFC 9051 §6.3.6).
    pub(super) fn rename(
        &mut self,
        tag: &Tag<'_>,
        from: MailboxName<'static>,
        to: MailboxName<'static>,
    ) {
        let (from, to) = (mailbox_text(&from), mailbox_text(&to));
        let result = if self.fault(Fault::ImapRenameIgnored) {
            Ok(())
        } else {
            self.with_account(|view| view.rename(&from, &to))
                .and_then(|r| r)
        };
        match result {
            Ok(()) => self.tagged(tag, Status::Ok, "RENAME completed"),
            Err(error) => self.tagged(tag, Status::No, &error.to_string()),
        }
    }

    /// SUBSCRIBE (RFC 9051 §6.3.7).
    pub(super) fn subscribe(&mut self, tag: &Tag<'_>, name: MailboxName<'static>) {
        let name = mailbox_text(&name);
        let ignored = self.fault(Fault::ImapSubscribeIgnored);
        let found = self
            .with_account(|view| {
                view.mailbox_mut(&name)
                    .map(|m| m.subscribed |= !ignored)
                    .is_some()
            })
            .unwrap_or(false);
        if found {
            self.tagged(tag, Status::Ok, "SUBSCRIBE completed");
        } else {
            self.tagged_code(tag, Status::No, Code::NonExistent, "no such mailbox");
        }
    }

    /// UNSUBSCRIBE (RFC 9051 §6.3.8).
    pub(super) fn unsubscribe(&mut self, tag: &Tag<'_>, name: MailboxName<'static>) {
        let name = mailbox_text(&name);
        let _ = self.with_account(|view| view.mailbox_mut(&name).map(|m| m.subscribed = false));
        self.tagged(tag, Status::Ok, "UNSUBSCRIBE completed");
    }

    /// STATUS (RFC 9051 §6.3.11).
    pub(super) fn mailbox_status(&mut self, tag: &Tag<'_>, status: StatusCommand<'static>) {
        let name = mailbox_text(&status.mailbox);
        let items: Vec<StatusItemName<'static>> = status
            .items
            .into_iter()
            .map(IntoOwned::into_owned)
            .collect();
        let wrong = self.fault(Fault::ImapStatusWrongCount);
        let utf8_names = self.fault(Fault::ImapMailboxNamesUtf8);
        let recent_never = self.fault(Fault::ImapRecentNever);
        if items.contains(&StatusItemName::HighestModSeq) {
            self.enable_condstore();
        }
        let response = self.with_account(|view| {
            view.mailbox(&name).map(|mailbox| {
                let mut values = Vec::new();
                for item in &items {
                    values.push(match item {
                        StatusItemName::Messages => {
                            StatusItem::Messages(count(mailbox.messages.len() + usize::from(wrong)))
                        }
                        StatusItemName::UidNext => StatusItem::UidNext(mailbox.uid_next),
                        StatusItemName::UidValidity => {
                            StatusItem::UidValidity(mailbox.uid_validity)
                        }
                        StatusItemName::Unseen => StatusItem::Unseen(count(mailbox.unseen())),
                        StatusItemName::Recent => StatusItem::Recent(if recent_never {
                            0
                        } else {
                            count(
                                mailbox
                                    .messages
                                    .iter()
                                    .filter(|m| m.uid > mailbox.recent_claimed)
                                    .count(),
                            )
                        }),
                        StatusItemName::Deleted => StatusItem::Deleted(count(
                            mailbox
                                .messages
                                .iter()
                                .filter(|m| m.flags.contains("\\Deleted"))
                                .count(),
                        )),
                        StatusItemName::Size => StatusItem::Size(mailbox.size()),
                        StatusItemName::HighestModSeq => {
                            StatusItem::HighestModSeq(mailbox.highest_modseq)
                        }
                        StatusItemName::AppendLimit => StatusItem::AppendLimit(Some(APPEND_LIMIT)),
                        StatusItemName::MailboxId => match Atom::new(mailbox.mailbox_id.clone()) {
                            Some(id) => StatusItem::MailboxId(id),
                            None => continue,
                        },
                        _ => continue,
                    });
                }
                Data::MailboxStatus(MailboxStatus {
                    mailbox: wire_name(&mailbox.name, utf8_names),
                    items: values.into(),
                })
            })
        });
        match response.ok().flatten() {
            Some(response) => {
                self.data(response);
                self.tagged(tag, Status::Ok, "STATUS completed");
            }
            None => self.tagged_code(tag, Status::No, Code::NonExistent, "no such mailbox"),
        }
    }

    /// APPEND (RFC 9051 §6.3.12), with APPENDUID (RFC 4315) and APPENDLIMIT (RFC 7889).
    pub(super) fn append(&mut self, tag: &Tag<'_>, append: Append<'static>) {
        let name = mailbox_text(&append.mailbox);
        let mut uids = Vec::new();
        let mut validity = 0;
        let mut error = None;
        for message in append.messages {
            let groupwire_imap::command::append::AppendData::Literal(literal) = message.data else {
                error = Some((None, "CATENATE is not supported"));
                break;
            };
            if literal.mode == groupwire_imap::core::LiteralMode::NonSync
                && self.fault(Fault::ImapLiteralPlusRejected)
            {
                error = Some((None, "non-synchronising literals are not supported"));
                break;
            }
            let data = literal.data.as_bytes().to_vec();
            if data.len() as u64 > APPEND_LIMIT && !self.fault(Fault::ImapAppendlimitIgnored) {
                error = Some((Some(Code::TooBig), "message exceeds APPENDLIMIT"));
                break;
            }
            let flags: BTreeSet<String> = if self.fault(Fault::ImapAppendDropsFlags) {
                BTreeSet::new()
            } else {
                message
                    .flags
                    .unwrap_or_default()
                    .iter()
                    .map(flag_text)
                    .collect()
            };
            if self.fault(Fault::ImapAppendLost) {
                continue;
            }
            let user = self.user.clone().unwrap_or_default();
            let date = message
                .date
                .as_ref()
                .and_then(date_time_seconds)
                .filter(|_| !self.fault(Fault::ImapAppendDateIgnored));
            match self
                .service
                .store
                .append(&user, &name, Arc::from(data), flags, date)
            {
                Ok((v, uid)) => {
                    validity = v;
                    uids.push(uid);
                }
                Err(_) => {
                    error = Some((Some(Code::TryCreate), "no such mailbox"));
                    break;
                }
            }
        }
        match error {
            Some((code, text)) => self.status(Some(tag), Status::No, code, text),
            None => {
                self.updates();
                let appenduid = nz(validity)
                    .zip(uid_list(uids))
                    .filter(|_| !self.fault(Fault::ImapNoAppenduid))
                    .map(|(uid_validity, uids)| Code::AppendUid { uid_validity, uids });
                self.status(Some(tag), Status::Ok, appenduid, "APPEND completed");
            }
        }
    }
}
