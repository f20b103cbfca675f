//! SELECT and EXAMINE, with CONDSTORE and QRESYNC parameters (RFC 7162) and unknown
//! `select-param`s (RFC 4466).

use crate::Expected;
use crate::core::cursor::{Cursor, ParseResult, paren_list};
use crate::core::encode::put_number;
use crate::core::number::{number64, nz_number};
use crate::core::owned::into_owned_struct;
use crate::core::{Encode, IntoOwned, Mailbox, SequenceSet, Sink};

use super::ext::TaggedExt;

/// The arguments of `SELECT` or `EXAMINE`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Select<'a> {
    /// The mailbox to open.
    pub mailbox: Mailbox<'a>,
    /// The parenthesised parameters (empty when none were sent).
    pub params: Vec<SelectParam<'a>>,
}

into_owned_struct!(Select { mailbox, params });

/// One `select-param`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SelectParam<'a> {
    /// `CONDSTORE` (RFC 7162 §3.1.8).
    Condstore,
    /// `QRESYNC (uidvalidity modseq [known-uids] [(seqs uids)])` (RFC 7162 §3.2.5).
    Qresync(Qresync<'a>),
    /// Any other parameter.
    Other(TaggedExt<'a>),
}

/// The QRESYNC parameter: what the client remembers of the mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Qresync<'a> {
    /// The last known UIDVALIDITY.
    pub uid_validity: u32,
    /// The last known HIGHESTMODSEQ.
    pub mod_seq: u64,
    /// The UIDs the client knows (`known-uids`).
    pub known_uids: Option<SequenceSet<'a>>,
    /// `(known-sequence-set known-uid-set)`: message numbers and their UIDs.
    pub seq_match: Option<(SequenceSet<'a>, SequenceSet<'a>)>,
}

into_owned_struct!(Qresync {
    uid_validity,
    mod_seq,
    known_uids,
    seq_match
});

impl IntoOwned for SelectParam<'_> {
    type Owned = SelectParam<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            SelectParam::Condstore => SelectParam::Condstore,
            SelectParam::Qresync(q) => SelectParam::Qresync(q.into_owned()),
            SelectParam::Other(ext) => SelectParam::Other(ext.into_owned()),
        }
    }
}

impl<'a> Select<'a> {
    /// Parses the arguments after `SELECT ` or `EXAMINE `.
    pub fn parse_arguments(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let mailbox = Mailbox::parse(c)?;
        let mut params = Vec::new();
        if c.peek() == Some(b' ') {
            c.sp()?;
            params = paren_list(c, false, SelectParam::parse)?;
        }
        Ok(Select { mailbox, params })
    }
}

impl<'a> SelectParam<'a> {
    /// Parses one `select-param`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        if super::fetch::eat_keyword(c, b"CONDSTORE") {
            return Ok(SelectParam::Condstore);
        }
        if c.eat_ci(b"QRESYNC ") {
            return Qresync::parse(c).map(SelectParam::Qresync);
        }
        TaggedExt::parse(c).map(SelectParam::Other)
    }
}

impl<'a> Qresync<'a> {
    /// Parses `"(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        c.expect(b'(', Expected::OpenParen)?;
        let uid_validity = nz_number(c)?.get();
        c.sp()?;
        let mod_seq = number64(c)?;
        let mut known_uids = None;
        let mut seq_match = None;
        if c.eat(b' ') {
            if c.peek() != Some(b'(') {
                known_uids = Some(SequenceSet::parse(c, false)?);
                if c.eat(b' ') {
                    seq_match = Some(seq_match_data(c)?);
                }
            } else {
                seq_match = Some(seq_match_data(c)?);
            }
        }
        c.expect(b')', Expected::CloseParen)?;
        Ok(Qresync {
            uid_validity,
            mod_seq,
            known_uids,
            seq_match,
        })
    }
}

fn seq_match_data<'a>(c: &mut Cursor<'a>) -> ParseResult<(SequenceSet<'a>, SequenceSet<'a>)> {
    c.expect(b'(', Expected::OpenParen)?;
    let seqs = SequenceSet::parse(c, false)?;
    c.sp()?;
    let uids = SequenceSet::parse(c, false)?;
    c.expect(b')', Expected::CloseParen)?;
    Ok((seqs, uids))
}

impl Encode for Select<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        super::encode::MailboxStr(&self.mailbox).encode(out);
        if !self.params.is_empty() {
            out.put(b" ");
            super::fetch::encode_list(out, &self.params);
        }
    }
}

impl Encode for SelectParam<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            SelectParam::Condstore => out.put(b"CONDSTORE"),
            SelectParam::Qresync(q) => {
                out.put(b"QRESYNC (");
                put_number(out, u64::from(q.uid_validity));
                out.put(b" ");
                put_number(out, q.mod_seq);
                if let Some(known) = &q.known_uids {
                    out.put(b" ");
                    known.encode(out);
                }
                if let Some((seqs, uids)) = &q.seq_match {
                    out.put(b" (");
                    seqs.encode(out);
                    out.put(b" ");
                    uids.encode(out);
                    out.put(b")");
                }
                out.put(b")");
            }
            SelectParam::Other(ext) => ext.encode(out),
        }
    }
}
