//! STORE and UID STORE, with the UNCHANGEDSINCE modifier (RFC 7162) and unknown
//! `store-modifier`s (RFC 4466).

use crate::Expected;
use crate::core::cursor::{Cursor, ParseResult, paren_list};
use crate::core::encode::put_number;
use crate::core::number::number64;
use crate::core::owned::into_owned_struct;
use crate::core::{Encode, Flag, IntoOwned, SequenceSet, Sink};

use super::ext::TaggedExt;
use super::fetch::encode_list;

/// `[UID] STORE set [(modifiers)] [+|-]FLAGS[.SILENT] flags`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Store<'a> {
    /// Whether this is `UID STORE`.
    pub uid: bool,
    /// The messages.
    pub set: SequenceSet<'a>,
    /// Store modifiers (empty when none were sent).
    pub modifiers: Vec<StoreModifier<'a>>,
    /// Replace, add or remove.
    pub action: StoreAction,
    /// `.SILENT`: the server does not return the new flags.
    pub silent: bool,
    /// The flags (sent as a parenthesised list).
    pub flags: Vec<Flag<'a>>,
}

into_owned_struct!(Store {
    uid,
    set,
    modifiers,
    action,
    silent,
    flags
});

/// What STORE does with the flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum StoreAction {
    /// `FLAGS`: replace.
    Replace,
    /// `+FLAGS`: add.
    Add,
    /// `-FLAGS`: remove.
    Remove,
}

impl IntoOwned for StoreAction {
    type Owned = StoreAction;
    fn into_owned(self) -> Self::Owned {
        self
    }
}

/// One store modifier.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum StoreModifier<'a> {
    /// `UNCHANGEDSINCE modseq` (RFC 7162 §3.1.3).
    UnchangedSince(u64),
    /// Any other modifier.
    Other(TaggedExt<'a>),
}

impl IntoOwned for StoreModifier<'_> {
    type Owned = StoreModifier<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            StoreModifier::UnchangedSince(m) => StoreModifier::UnchangedSince(m),
            StoreModifier::Other(ext) => StoreModifier::Other(ext.into_owned()),
        }
    }
}

impl<'a> Store<'a> {
    /// Parses the arguments after `STORE `.
    pub fn parse_arguments(c: &mut Cursor<'a>, uid: bool) -> ParseResult<Self> {
        let set = SequenceSet::parse(c, true)?;
        c.sp()?;
        let mut modifiers = Vec::new();
        if c.peek() == Some(b'(') {
            modifiers = paren_list(c, false, StoreModifier::parse)?;
            c.sp()?;
        }
        let action = if c.eat(b'+') {
            StoreAction::Add
        } else if c.eat(b'-') {
            StoreAction::Remove
        } else {
            StoreAction::Replace
        };
        c.expect_ci(b"FLAGS", Expected::Keyword)?;
        let silent = c.eat_ci(b".SILENT");
        c.sp()?;
        let flags = if c.peek() == Some(b'(') {
            Flag::parse_list(c)?
        } else {
            let mut flags = vec![Flag::parse(c)?];
            while c.eat(b' ') {
                c.check_list_length(flags.len() + 1)?;
                flags.push(Flag::parse(c)?);
            }
            flags
        };
        Ok(Store {
            uid,
            set,
            modifiers,
            action,
            silent,
            flags,
        })
    }
}

impl<'a> StoreModifier<'a> {
    /// Parses one store modifier.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        if c.eat_ci(b"UNCHANGEDSINCE ") {
            return number64(c).map(StoreModifier::UnchangedSince);
        }
        TaggedExt::parse(c).map(StoreModifier::Other)
    }
}

impl Encode for Store<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(if self.uid { b"UID STORE " } else { b"STORE " });
        self.set.encode(out);
        out.put(b" ");
        if !self.modifiers.is_empty() {
            encode_list(out, &self.modifiers);
            out.put(b" ");
        }
        out.put(match self.action {
            StoreAction::Replace => b"FLAGS",
            StoreAction::Add => b"+FLAGS",
            StoreAction::Remove => b"-FLAGS",
        });
        if self.silent {
            out.put(b".SILENT");
        }
        out.put(b" ");
        Flag::encode_list(&self.flags, out);
    }
}

impl Encode for StoreModifier<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            StoreModifier::UnchangedSince(m) => {
                out.put(b"UNCHANGEDSINCE ");
                put_number(out, *m);
            }
            StoreModifier::Other(ext) => ext.encode(out),
        }
    }
}
