//! Shortcuts for the commands clients send most, so a session reads like the protocol:
//! `CommandBody::login("alice", "secret")`, `CommandBody::select("INBOX")`,
//! `CommandBody::uid_fetch("1:*".parse()?, vec![FetchAttributeName::Flags])`.

use std::str::FromStr;

use super::CommandBody;
use super::fetch::{FetchAttributeName, FetchCommand, FetchItems};
use super::select::Select;
use crate::core::{Cursor, IString, Mailbox, SequenceSet};
use crate::{DecodeError, Expected, Limits};

impl CommandBody<'static> {
    /// `LOGIN user password` (quoted or literal as each value needs).
    pub fn login(username: &str, password: &str) -> Self {
        CommandBody::Login {
            username: IString::from(username),
            password: IString::from(password),
        }
    }

    /// `SELECT mailbox`.
    pub fn select(mailbox: &str) -> Self {
        CommandBody::Select(Select {
            mailbox: Mailbox::from(mailbox),
            params: Vec::new(),
        })
    }

    /// `EXAMINE mailbox` (read-only SELECT).
    pub fn examine(mailbox: &str) -> Self {
        CommandBody::Examine(Select {
            mailbox: Mailbox::from(mailbox),
            params: Vec::new(),
        })
    }

    /// `FETCH set attributes` (one attribute bare, several in parentheses).
    pub fn fetch(set: SequenceSet<'static>, attributes: Vec<FetchAttributeName<'static>>) -> Self {
        CommandBody::Fetch(FetchCommand {
            uid: false,
            set,
            items: FetchItems::Attributes(attributes),
            modifiers: Vec::new(),
        })
    }

    /// `UID FETCH set attributes`.
    pub fn uid_fetch(
        set: SequenceSet<'static>,
        attributes: Vec<FetchAttributeName<'static>>,
    ) -> Self {
        CommandBody::Fetch(FetchCommand {
            uid: true,
            set,
            items: FetchItems::Attributes(attributes),
            modifiers: Vec::new(),
        })
    }
}

impl From<&str> for Mailbox<'static> {
    /// A mailbox by name (`INBOX` in any case is the inbox).
    fn from(name: &str) -> Self {
        Mailbox::from_name(IString::from(name))
    }
}

impl FromStr for SequenceSet<'static> {
    type Err = DecodeError;

    /// Parses `1:*`, `2,4:7,9`, `$` (SEARCHRES); nothing may follow the set.
    fn from_str(text: &str) -> Result<Self, DecodeError> {
        let mut cursor = Cursor::new(text.as_bytes(), Limits::client());
        let set = SequenceSet::parse(&mut cursor, true)?;
        if !cursor.is_at_end() {
            return Err(cursor.error(Expected::SequenceSet));
        }
        Ok(crate::IntoOwned::into_owned(set))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_sets_parse_from_text() {
        let set: SequenceSet<'static> = "1:*".parse().unwrap();
        assert_eq!(set.as_bytes(), b"1:*");
        let ranges: Vec<_> = "2,4:7".parse::<SequenceSet>().unwrap().iter().collect();
        assert_eq!(ranges.len(), 2);
        assert!("".parse::<SequenceSet>().is_err());
        assert!("1:".parse::<SequenceSet>().is_err());
        assert!("1 2".parse::<SequenceSet>().is_err());
        assert!(
            "0".parse::<SequenceSet>().is_err(),
            "0 is not a sequence number"
        );
    }

    #[test]
    fn shortcuts_encode_as_the_protocol_says() {
        use crate::Encode;
        use crate::command::Command;
        use crate::core::Tag;
        let encode = |body: CommandBody<'static>| {
            let mut out = Vec::new();
            Command {
                tag: Tag::new("a").unwrap(),
                body,
            }
            .encode(&mut out);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(
            encode(CommandBody::login("alice", "p w")),
            "a LOGIN alice \"p w\"\r\n"
        );
        assert_eq!(encode(CommandBody::select("inbox")), "a SELECT INBOX\r\n");
        assert_eq!(
            encode(CommandBody::uid_fetch(
                "1:*".parse().unwrap(),
                vec![FetchAttributeName::Flags]
            )),
            "a UID FETCH 1:* FLAGS\r\n"
        );
    }
}
