//! LIST and LSUB (RFC 9051 §6.3.9, LIST-EXTENDED RFC 5258, SPECIAL-USE RFC 6154).

use std::collections::BTreeSet;

use groupwire_imap::command::list::{List, MailboxPattern};
use groupwire_imap::core::{IString, Mailbox as MailboxName, Tag};
use groupwire_imap::response::list::ListExtendedItem;
use groupwire_imap::response::{Data, ListMailbox, MailboxAttribute, Status};

use super::Session;
use super::encode::{mailbox_text, wire_name};
use crate::faults::Fault;
use crate::store::SpecialUse;

/// What a LIST (or LSUB) asked for beyond its patterns.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ListOptions {
    /// `SUBSCRIBED` selection (and LSUB).
    pub(super) subscribed_only: bool,
    /// `SPECIAL-USE` selection (RFC 6154): only mailboxes with a special use.
    pub(super) special_use_only: bool,
    /// `RETURN (SPECIAL-USE)`.
    pub(super) special_use_returned: bool,
    /// `RECURSIVEMATCH` selection (RFC 5258 §3.1): parents of matching children, with
    /// CHILDINFO.
    pub(super) recursive_match: bool,
    /// `RETURN (SUBSCRIBED)`.
    pub(super) subscribed_returned: bool,
}

/// A LIST/LSUB pattern as a UTF-8 name pattern: modified UTF-7 decoded (RFC 3501 §5.1.3),
/// or, with `raw` (fault `imap-mailbox-names-utf8`), taken as it is.
pub(super) fn pattern_text(pattern: &str, raw: bool) -> String {
    if raw {
        return pattern.to_string();
    }
    groupwire_imap::core::utf7::decode(pattern.as_bytes()).unwrap_or_else(|_| pattern.to_string())
}

/// The LIST attribute naming a special use (RFC 6154).
fn special_use_attribute(use_: SpecialUse) -> MailboxAttribute<'static> {
    match use_ {
        SpecialUse::Sent => MailboxAttribute::Sent,
        SpecialUse::Drafts => MailboxAttribute::Drafts,
        SpecialUse::Trash => MailboxAttribute::Trash,
        SpecialUse::Junk => MailboxAttribute::Junk,
        SpecialUse::Archive => MailboxAttribute::Archive,
    }
}

impl Session {
    pub(super) fn list(
        &mut self,
        tag: &Tag<'_>,
        reference: &str,
        patterns: &[String],
        options: ListOptions,
        verb: &str,
    ) {
        let lsub = verb == "LSUB";
        // One LIST (or LSUB) response: the name with its attributes, "/" the delimiter.
        let entry = move |attributes: Vec<MailboxAttribute<'static>>,
                          delimiter: Option<u8>,
                          mailbox: MailboxName<'static>,
                          extended: Vec<ListExtendedItem<'static>>| {
            let list = ListMailbox {
                attributes: attributes.into(),
                delimiter,
                mailbox,
                extended: extended.into(),
            };
            if lsub {
                Data::Lsub(list)
            } else {
                Data::List(list)
            }
        };
        if patterns.iter().all(String::is_empty) {
            // The hierarchy delimiter and root (RFC 9051 §6.3.9); NIL with the fault.
            let delimiter = (!self.fault(Fault::ImapListNoDelimiterRoot)).then_some(b'/');
            let root = wire_name("", false);
            self.data(entry(
                vec![MailboxAttribute::NoSelect],
                delimiter,
                root,
                Vec::new(),
            ));
            self.tagged(tag, Status::Ok, &format!("{verb} completed"));
            return;
        }
        let special =
            !(options.special_use_returned && self.fault(Fault::ImapSpecialUseReturnIgnored));
        let no_inbox = self.fault(Fault::ImapListNoInbox);
        let utf8_names = self.fault(Fault::ImapMailboxNamesUtf8);
        let keep_subscription = !self.fault(Fault::ImapDeleteUnsubscribes);
        let childinfo = options.subscribed_only
            && options.recursive_match
            && !self.fault(Fault::ImapListNoChildinfo);
        let show_subscribed = (options.subscribed_only && verb == "LIST")
            || (options.subscribed_returned && !self.fault(Fault::ImapListReturnSubscribedIgnored));
        let lsub_parents = verb == "LSUB" && !self.fault(Fault::ImapLsubNoParent);
        let matches = |name: &str| {
            patterns
                .iter()
                .any(|p| matches_pattern(&format!("{reference}{p}"), name))
        };
        let lines = self
            .with_account(|view| {
                let account = view.account();
                let subscribed = |name: &str| {
                    account.mailboxes.get(name).is_some_and(|m| m.subscribed)
                        || (keep_subscription && account.orphan_subscriptions.contains(name))
                };
                // Every name LIST may talk about: the mailboxes and, for the subscription
                // views, subscribed names without a mailbox.
                let mut names: BTreeSet<String> = account.mailboxes.keys().cloned().collect();
                if keep_subscription && (options.subscribed_only || show_subscribed) {
                    names.extend(account.orphan_subscriptions.iter().cloned());
                }
                // Unlisted names that are parents of subscribed names (LSUB's \Noselect
                // parents, RFC 3501 §6.3.9; RECURSIVEMATCH's CHILDINFO, RFC 5258 §3.5).
                let mut parents: BTreeSet<String> = BTreeSet::new();
                if options.subscribed_only && (lsub_parents || childinfo) {
                    for name in names.iter().filter(|n| subscribed(n)) {
                        let mut at = 0;
                        while let Some(slash) = name.get(at..).and_then(|r| r.find('/')) {
                            let parent = name.get(..at + slash).unwrap_or_default();
                            at += slash + 1;
                            if matches(parent) && !matches(name) {
                                parents.insert(parent.to_string());
                            }
                        }
                    }
                }
                let mut lines = Vec::new();
                let all: BTreeSet<String> = names.union(&parents).cloned().collect();
                for full in &all {
                    let is_parent = parents.contains(full);
                    if !matches(full) || (no_inbox && full == "INBOX") {
                        continue;
                    }
                    let mailbox = account.mailboxes.get(full);
                    if options.subscribed_only && !subscribed(full) {
                        if !is_parent {
                            continue;
                        }
                        if lsub {
                            let name = wire_name(full, utf8_names);
                            let attributes = vec![MailboxAttribute::NoSelect];
                            lines.push(entry(attributes, Some(b'/'), name, Vec::new()));
                            continue;
                        }
                    }
                    if options.special_use_only && mailbox.and_then(|m| m.special_use).is_none() {
                        continue;
                    }
                    let mut attributes = Vec::new();
                    if mailbox.is_none() && !lsub {
                        attributes.push(MailboxAttribute::NonExistent);
                    } else if mailbox.is_none() {
                        attributes.push(MailboxAttribute::NoSelect);
                    } else {
                        let children = account
                            .mailboxes
                            .keys()
                            .any(|k| k.starts_with(&format!("{full}/")));
                        attributes.push(if children {
                            MailboxAttribute::HasChildren
                        } else {
                            MailboxAttribute::HasNoChildren
                        });
                    }
                    if special && let Some(use_) = mailbox.and_then(|m| m.special_use) {
                        attributes.push(special_use_attribute(use_));
                    }
                    if show_subscribed && subscribed(full) {
                        attributes.push(MailboxAttribute::Subscribed);
                    }
                    // RFC 5258 §3.5: a parent listed for its subscribed children says why.
                    let extended = if childinfo && !lsub && is_parent {
                        vec![ListExtendedItem::ChildInfo(
                            vec![IString::from("SUBSCRIBED")].into(),
                        )]
                    } else {
                        Vec::new()
                    };
                    let name = wire_name(full, utf8_names);
                    lines.push(entry(attributes, Some(b'/'), name, extended));
                }
                lines
            })
            .unwrap_or_default();
        for line in lines {
            self.data(line);
        }
        self.tagged(tag, Status::Ok, &format!("{verb} completed"));
    }
}

/// Whether LIST `pattern` (with `*` and `%`) matches `name`.
pub fn matches_pattern(pattern: &str, name: &str) -> bool {
    fn go(p: &[u8], n: &[u8]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some((b'*', rest)) => (0..=n.len()).any(|i| go(rest, n.get(i..).unwrap_or_default())),
            Some((b'%', rest)) => (0..=n.len())
                .take_while(|&i| i == 0 || n.get(i - 1) != Some(&b'/'))
                .any(|i| go(rest, n.get(i..).unwrap_or_default())),
            Some((c, rest)) => n.first() == Some(c) && go(rest, n.get(1..).unwrap_or_default()),
        }
    }
    if pattern.eq_ignore_ascii_case("INBOX") && name == "INBOX" {
        return true;
    }
    go(pattern.as_bytes(), name.as_bytes())
}

impl Session {
    /// LIST: the selection and return options checked (RFC 5258 §3), then [`Session::list`].
    pub(super) fn list_command(&mut self, tag: &Tag<'_>, list: List<'static>) {
        let reference = mailbox_text(&list.reference);
        let utf8_names = self.fault(Fault::ImapMailboxNamesUtf8);
        let patterns: Vec<String> = list
            .patterns
            .iter()
            .map(|p| pattern_text(&p.0.to_str_lossy(), utf8_names))
            .collect();
        use groupwire_imap::command::list::{ListReturnOption, ListSelectOption};
        let selected = |option: ListSelectOption<'static>| {
            list.selection.as_ref().is_some_and(|s| s.contains(&option))
        };
        let returned = |option: ListReturnOption<'static>| {
            list.return_options
                .as_ref()
                .is_some_and(|r| r.contains(&option))
        };
        let selection = list.selection.as_deref().unwrap_or_default();
        // Unknown options, selection or return, are BAD (RFC 5258 §3).
        let unknown = selection
            .iter()
            .any(|o| matches!(o, ListSelectOption::Other(_)))
            || list
                .return_options
                .as_deref()
                .unwrap_or_default()
                .iter()
                .any(|o| matches!(o, ListReturnOption::Other(_)));
        // RECURSIVEMATCH alone (or with REMOTE only) is BAD (RFC 5258 §3.1).
        let lone_recursive = selected(ListSelectOption::RecursiveMatch)
            && selection.iter().all(|o| {
                matches!(
                    o,
                    ListSelectOption::RecursiveMatch | ListSelectOption::Remote
                )
            });
        if (unknown || lone_recursive) && !self.fault(Fault::ImapListSelectionLenient) {
            self.tagged(
                tag,
                Status::Bad,
                if unknown {
                    "unknown LIST option"
                } else {
                    "RECURSIVEMATCH needs another selection option"
                },
            );
            return;
        }
        let options = ListOptions {
            subscribed_only: selected(ListSelectOption::Subscribed),
            special_use_only: selected(ListSelectOption::SpecialUse),
            special_use_returned: returned(ListReturnOption::SpecialUse),
            recursive_match: selected(ListSelectOption::RecursiveMatch),
            subscribed_returned: returned(ListReturnOption::Subscribed),
        };
        self.list(tag, &reference, &patterns, options, "LIST");
    }

    /// LSUB (IMAP4rev1): LIST of the subscribed names.
    pub(super) fn lsub(
        &mut self,
        tag: &Tag<'_>,
        reference: MailboxName<'static>,
        pattern: MailboxPattern<'static>,
    ) {
        let reference = mailbox_text(&reference);
        let pattern = pattern_text(
            &pattern.0.to_str_lossy(),
            self.fault(Fault::ImapMailboxNamesUtf8),
        );
        let options = ListOptions {
            subscribed_only: true,
            ..ListOptions::default()
        };
        self.list(tag, &reference, &[pattern], options, "LSUB");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_patterns() {
        assert!(matches_pattern("*", "INBOX"));
        assert!(matches_pattern("*", "a/b"));
        assert!(matches_pattern("%", "Sent"));
        assert!(!matches_pattern("%", "a/b"));
        assert!(matches_pattern("a/%", "a/b"));
        assert!(matches_pattern("inbox", "INBOX"));
        assert!(!matches_pattern("Se", "Sent"));
    }
}
