//! THREAD responses (RFC 5256 §4).

use std::num::NonZeroU32;

use crate::Expected;
use crate::core::cursor::{Cursor, ParseResult};
use crate::core::encode::put_number;
use crate::core::lazy::{LazyList, ListItem};
use crate::core::number::nz_number;
use crate::core::{Encode, IntoOwned, Sink};

/// One thread: a chain of messages, each the parent of the next, then the sub-threads
/// that hang off the last one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Thread {
    /// The chain of message numbers or UIDs.
    pub messages: Vec<NonZeroU32>,
    /// The sub-threads below the last message.
    pub children: Vec<Thread>,
}

impl IntoOwned for Thread {
    type Owned = Thread;
    fn into_owned(self) -> Self {
        self
    }
}

impl Thread {
    /// Parses what follows `THREAD`: `*(SP? thread-list)` (lists follow each other without
    /// spaces), validating every thread now and building each when the list is read (see
    /// [`LazyList`]).
    pub fn parse_list<'a>(c: &mut Cursor<'a>) -> ParseResult<LazyList<'a, Self>> {
        if !c.eat(b' ') {
            return Ok(LazyList::new());
        }
        let start = c.pos();
        let mut count = 0;
        // Lists follow each other directly; tolerate a space between them as well.
        while c.peek() == Some(b'(')
            || (c.peek() == Some(b' ') && c.peek_at(1) == Some(b'(') && count > 0)
        {
            c.eat(b' ');
            count += 1;
            c.check_list_length(count)?;
            Self::read::<false>(c, &mut Thread::default())?;
        }
        Ok(if count == 0 {
            LazyList::new()
        } else {
            LazyList::raw(c.since(start))
        })
    }

    /// Parses one `thread-list`.
    pub fn parse(c: &mut Cursor<'_>) -> ParseResult<Self> {
        let mut thread = Thread::default();
        Self::read::<true>(c, &mut thread)?;
        Ok(thread)
    }

    /// Reads one `thread-list` into `thread`; with `BUILD` off it only checks the list (same
    /// errors and limits) and allocates nothing.
    fn read<const BUILD: bool>(c: &mut Cursor<'_>, thread: &mut Thread) -> ParseResult<()> {
        c.expect(b'(', Expected::Thread)?;
        c.enter()?;
        let (mut messages, mut children) = (0, 0);
        loop {
            match c.peek() {
                Some(b'(') => {
                    children += 1;
                    c.check_list_length(children)?;
                    if BUILD {
                        thread.children.push(Self::parse(c)?);
                    } else {
                        Self::read::<false>(c, thread)?;
                    }
                }
                Some(b')') => break,
                _ if children == 0 => {
                    messages += 1;
                    c.check_list_length(messages)?;
                    let n = nz_number(c)?;
                    if BUILD {
                        thread.messages.push(n);
                    }
                    if c.eat(b' ') && c.peek() == Some(b')') {
                        return Err(c.error(Expected::Thread));
                    }
                }
                _ => return Err(c.error(Expected::Thread)),
            }
        }
        c.expect(b')', Expected::CloseParen)?;
        c.leave();
        Ok(())
    }
}

impl<'a> ListItem<'a> for Thread {
    fn parse_item(c: &mut Cursor<'a>) -> ParseResult<Self> {
        Self::parse(c)
    }
}

impl Encode for Thread {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(b"(");
        for (i, n) in self.messages.iter().enumerate() {
            if i > 0 {
                out.put(b" ");
            }
            put_number(out, u64::from(n.get()));
        }
        if !self.messages.is_empty() && !self.children.is_empty() {
            out.put(b" ");
        }
        for child in &self.children {
            child.encode(out);
        }
        out.put(b")");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Limits;

    #[test]
    fn rfc5256_example() {
        let input = b" (2)(3 6 (4 23)(44 7 96))";
        let mut c = Cursor::new(input, Limits::default());
        let threads = Thread::parse_list(&mut c).unwrap().to_vec();
        assert!(c.is_at_end());
        assert_eq!(threads.len(), 2);
        assert_eq!(threads[1].messages.len(), 2);
        assert_eq!(threads[1].children.len(), 2);
        assert_eq!(threads[1].children[1].messages.len(), 3);
        let mut out = Vec::new();
        for t in &threads {
            t.encode(&mut out);
        }
        assert_eq!(out, &input[1..]);
        let deep = [
            b" ".to_vec(),
            b"(".repeat(2000),
            b"1".to_vec(),
            b")".repeat(2000),
        ]
        .concat();
        let err = Thread::parse_list(&mut Cursor::new(&deep, Limits::default())).unwrap_err();
        assert_eq!(
            err.kind(),
            crate::ErrorKind::LimitExceeded(crate::Limit::NestingDepth)
        );
    }
}
