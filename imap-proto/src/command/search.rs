//! SEARCH and UID SEARCH: search keys (RFC 9051 §6.4.4, RFC 3501, CONDSTORE MODSEQ RFC 7162,
//! WITHIN RFC 5032, FUZZY RFC 6203, OBJECTID RFC 8474, SAVEDATE RFC 8514, FILTERS RFC 5466),
//! ESEARCH return options (RFC 4731, SAVE RFC 5182, CONTEXT RFC 5267, PARTIAL RFC 9394) and
//! the CHARSET argument.

use crate::Expected;
use crate::core::cursor::{Cursor, ParseResult, paren_list};
use crate::core::encode::put_number;
use crate::core::number::{number64, nz_number};
use crate::core::owned::into_owned_struct;
use crate::core::{Atom, Charset, Date, Encode, IString, IntoOwned, SequenceSet, Sink};

use super::ext::TaggedExt;
use super::fetch::{FetchAttributeName, PartialRange, eat_keyword, encode_list, encode_spaced};

/// `[UID] SEARCH [RETURN (options)] [CHARSET charset] keys`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SearchCommand<'a> {
    /// Whether this is `UID SEARCH`.
    pub uid: bool,
    /// ESEARCH return options; `None` when no `RETURN` was sent (`RETURN ()` is
    /// `Some(vec![])`).
    pub return_options: Option<Vec<SearchReturnOption<'a>>>,
    /// The charset of string criteria, when given.
    pub charset: Option<Charset<'a>>,
    /// The criteria, all of which must match (at least one).
    pub criteria: Vec<SearchKey<'a>>,
}

into_owned_struct!(SearchCommand {
    uid,
    return_options,
    charset,
    criteria
});

/// A SEARCH return option (RFC 4731 and later).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SearchReturnOption<'a> {
    /// `MIN`.
    Min,
    /// `MAX`.
    Max,
    /// `ALL`.
    All,
    /// `COUNT`.
    Count,
    /// `SAVE` (RFC 5182).
    Save,
    /// `CONTEXT` (RFC 5267).
    Context,
    /// `UPDATE` (RFC 5267), with the FETCH attributes NOTIFY (RFC 5465 §8) may add (empty
    /// when none were given).
    Update(Vec<FetchAttributeName<'a>>),
    /// `RELEVANCY` (RFC 6203).
    Relevancy,
    /// `PARTIAL range` (RFC 9394).
    Partial(PartialRange),
    /// Any other option.
    Other(TaggedExt<'a>),
}

/// A MODSEQ search entry type (RFC 7162 `entry-type-req`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum EntryType {
    /// `priv`.
    Private,
    /// `shared`.
    Shared,
    /// `all`.
    All,
}

/// One search key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SearchKey<'a> {
    /// `ALL`.
    All,
    /// `ANSWERED`.
    Answered,
    /// `BCC string`.
    Bcc(IString<'a>),
    /// `BEFORE date`.
    Before(Date),
    /// `BODY string`.
    Body(IString<'a>),
    /// `CC string`.
    Cc(IString<'a>),
    /// `DELETED`.
    Deleted,
    /// `DRAFT`.
    Draft,
    /// `FLAGGED`.
    Flagged,
    /// `FROM string`.
    From(IString<'a>),
    /// `HEADER field string`.
    Header(IString<'a>, IString<'a>),
    /// `KEYWORD flag`.
    Keyword(Atom<'a>),
    /// `LARGER n`.
    Larger(u64),
    /// `NEW` (IMAP4rev1).
    New,
    /// `NOT key`.
    Not(Box<SearchKey<'a>>),
    /// `OLD` (IMAP4rev1).
    Old,
    /// `ON date`.
    On(Date),
    /// `OR key key`.
    Or(Box<SearchKey<'a>>, Box<SearchKey<'a>>),
    /// `RECENT` (IMAP4rev1).
    Recent,
    /// `SEEN`.
    Seen,
    /// `SENTBEFORE date`.
    SentBefore(Date),
    /// `SENTON date`.
    SentOn(Date),
    /// `SENTSINCE date`.
    SentSince(Date),
    /// `SINCE date`.
    Since(Date),
    /// `SMALLER n`.
    Smaller(u64),
    /// `SUBJECT string`.
    Subject(IString<'a>),
    /// `TEXT string`.
    Text(IString<'a>),
    /// `TO string`.
    To(IString<'a>),
    /// `UID set`.
    Uid(SequenceSet<'a>),
    /// `UNANSWERED`.
    Unanswered,
    /// `UNDELETED`.
    Undeleted,
    /// `UNDRAFT`.
    Undraft,
    /// `UNFLAGGED`.
    Unflagged,
    /// `UNKEYWORD flag`.
    Unkeyword(Atom<'a>),
    /// `UNSEEN`.
    Unseen,
    /// A bare sequence set (or `$`).
    SequenceSet(SequenceSet<'a>),
    /// `(key key ...)`.
    And(Vec<SearchKey<'a>>),
    /// `MODSEQ [entry-name entry-type] modseq` (RFC 7162).
    ModSeq {
        /// The metadata item and entry type, when given.
        entry: Option<(IString<'a>, EntryType)>,
        /// The modification sequence.
        mod_seq: u64,
    },
    /// `OLDER seconds` (RFC 5032).
    Older(u32),
    /// `YOUNGER seconds` (RFC 5032).
    Younger(u32),
    /// `FUZZY key` (RFC 6203).
    Fuzzy(Box<SearchKey<'a>>),
    /// `EMAILID id` (RFC 8474).
    EmailId(Atom<'a>),
    /// `THREADID id` (RFC 8474).
    ThreadId(Atom<'a>),
    /// `SAVEDBEFORE date` (RFC 8514).
    SavedBefore(Date),
    /// `SAVEDON date` (RFC 8514).
    SavedOn(Date),
    /// `SAVEDSINCE date` (RFC 8514).
    SavedSince(Date),
    /// `SAVEDATESUPPORTED` (RFC 8514).
    SaveDateSupported,
    /// `FILTER name` (RFC 5466).
    Filter(Atom<'a>),
}

impl IntoOwned for SearchReturnOption<'_> {
    type Owned = SearchReturnOption<'static>;
    fn into_owned(self) -> Self::Owned {
        use SearchReturnOption as R;
        match self {
            R::Min => R::Min,
            R::Max => R::Max,
            R::All => R::All,
            R::Count => R::Count,
            R::Save => R::Save,
            R::Context => R::Context,
            R::Update(a) => R::Update(a.into_owned()),
            R::Relevancy => R::Relevancy,
            R::Partial(p) => R::Partial(p),
            R::Other(ext) => R::Other(ext.into_owned()),
        }
    }
}

impl IntoOwned for SearchKey<'_> {
    type Owned = SearchKey<'static>;
    fn into_owned(self) -> Self::Owned {
        use SearchKey as K;
        match self {
            K::All => K::All,
            K::Answered => K::Answered,
            K::Bcc(s) => K::Bcc(s.into_owned()),
            K::Before(d) => K::Before(d),
            K::Body(s) => K::Body(s.into_owned()),
            K::Cc(s) => K::Cc(s.into_owned()),
            K::Deleted => K::Deleted,
            K::Draft => K::Draft,
            K::Flagged => K::Flagged,
            K::From(s) => K::From(s.into_owned()),
            K::Header(a, b) => K::Header(a.into_owned(), b.into_owned()),
            K::Keyword(a) => K::Keyword(a.into_owned()),
            K::Larger(n) => K::Larger(n),
            K::New => K::New,
            K::Not(k) => K::Not(k.into_owned()),
            K::Old => K::Old,
            K::On(d) => K::On(d),
            K::Or(a, b) => K::Or(a.into_owned(), b.into_owned()),
            K::Recent => K::Recent,
            K::Seen => K::Seen,
            K::SentBefore(d) => K::SentBefore(d),
            K::SentOn(d) => K::SentOn(d),
            K::SentSince(d) => K::SentSince(d),
            K::Since(d) => K::Since(d),
            K::Smaller(n) => K::Smaller(n),
            K::Subject(s) => K::Subject(s.into_owned()),
            K::Text(s) => K::Text(s.into_owned()),
            K::To(s) => K::To(s.into_owned()),
            K::Uid(set) => K::Uid(set.into_owned()),
            K::Unanswered => K::Unanswered,
            K::Undeleted => K::Undeleted,
            K::Undraft => K::Undraft,
            K::Unflagged => K::Unflagged,
            K::Unkeyword(a) => K::Unkeyword(a.into_owned()),
            K::Unseen => K::Unseen,
            K::SequenceSet(set) => K::SequenceSet(set.into_owned()),
            K::And(keys) => K::And(keys.into_owned()),
            K::ModSeq { entry, mod_seq } => K::ModSeq {
                entry: entry.map(|(name, kind)| (name.into_owned(), kind)),
                mod_seq,
            },
            K::Older(n) => K::Older(n),
            K::Younger(n) => K::Younger(n),
            K::Fuzzy(k) => K::Fuzzy(k.into_owned()),
            K::EmailId(a) => K::EmailId(a.into_owned()),
            K::ThreadId(a) => K::ThreadId(a.into_owned()),
            K::SavedBefore(d) => K::SavedBefore(d),
            K::SavedOn(d) => K::SavedOn(d),
            K::SavedSince(d) => K::SavedSince(d),
            K::SaveDateSupported => K::SaveDateSupported,
            K::Filter(a) => K::Filter(a.into_owned()),
        }
    }
}

// ---- parsing ----

impl<'a> SearchCommand<'a> {
    /// Parses the arguments after `SEARCH` (starting at the space after the name).
    pub fn parse_arguments(c: &mut Cursor<'a>, uid: bool) -> ParseResult<Self> {
        let return_options = parse_return(c)?;
        c.sp()?;
        let (charset, criteria) = parse_program(c, true)?;
        Ok(SearchCommand {
            uid,
            return_options,
            charset,
            criteria,
        })
    }
}

/// Parses ` RETURN (options)` when present.
pub(crate) fn parse_return<'a>(
    c: &mut Cursor<'a>,
) -> ParseResult<Option<Vec<SearchReturnOption<'a>>>> {
    if c.starts_with_ci(b" RETURN (") {
        c.advance(8);
        return paren_list(c, true, SearchReturnOption::parse).map(Some);
    }
    Ok(None)
}

/// Parses `[CHARSET charset SP] search-key *(SP search-key)` (the charset only when
/// `allow_charset`).
pub(crate) fn parse_program<'a>(
    c: &mut Cursor<'a>,
    allow_charset: bool,
) -> ParseResult<(Option<Charset<'a>>, Vec<SearchKey<'a>>)> {
    let mut charset = None;
    if allow_charset && c.eat_ci(b"CHARSET ") {
        charset = Some(Charset::parse(c)?);
        c.sp()?;
    }
    let mut criteria = vec![SearchKey::parse(c)?];
    while c.peek() == Some(b' ') {
        c.advance(1);
        c.check_list_length(criteria.len() + 1)?;
        criteria.push(SearchKey::parse(c)?);
    }
    Ok((charset, criteria))
}

impl<'a> SearchReturnOption<'a> {
    /// Parses one return option.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        use SearchReturnOption as R;
        for (word, option) in [
            (&b"MIN"[..], R::Min),
            (b"MAX", R::Max),
            (b"ALL", R::All),
            (b"COUNT", R::Count),
            (b"SAVE", R::Save),
            (b"CONTEXT", R::Context),
            (b"RELEVANCY", R::Relevancy),
        ] {
            if eat_keyword(c, word) {
                return Ok(option);
            }
        }
        if c.eat_ci(b"PARTIAL ") {
            return PartialRange::parse(c).map(R::Partial);
        }
        if eat_keyword(c, b"UPDATE") {
            // RFC 5465's ABNF has no space before the list; its example has one.
            let save = c.pos();
            c.eat(b' ');
            if c.peek() == Some(b'(') {
                return paren_list(c, false, |c| FetchAttributeName::parse_item(c, true))
                    .map(R::Update);
            }
            c.reset_to(save);
            return Ok(R::Update(Vec::new()));
        }
        TaggedExt::parse(c).map(R::Other)
    }
}

fn boxed_key<'a>(c: &mut Cursor<'a>) -> ParseResult<Box<SearchKey<'a>>> {
    c.enter()?;
    let key = SearchKey::parse(c)?;
    c.leave();
    Ok(Box::new(key))
}

fn astring_arg<'a>(c: &mut Cursor<'a>) -> ParseResult<IString<'a>> {
    c.sp()?;
    IString::parse_astring(c)
}

fn date_arg(c: &mut Cursor<'_>) -> ParseResult<Date> {
    c.sp()?;
    Date::parse(c)
}

impl<'a> SearchKey<'a> {
    /// Parses one search key.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        use SearchKey as K;
        match c.peek() {
            Some(b'(') => return paren_list(c, false, SearchKey::parse).map(K::And),
            Some(b'0'..=b'9' | b'*' | b'$') => {
                return SequenceSet::parse(c, true).map(K::SequenceSet);
            }
            _ => {}
        }
        let start = c.pos();
        let word = c.take_while(|b| b.is_ascii_alphanumeric());
        let upper = word.to_ascii_uppercase();
        let key = match upper.as_slice() {
            b"ALL" => K::All,
            b"ANSWERED" => K::Answered,
            b"BCC" => K::Bcc(astring_arg(c)?),
            b"BEFORE" => K::Before(date_arg(c)?),
            b"BODY" => K::Body(astring_arg(c)?),
            b"CC" => K::Cc(astring_arg(c)?),
            b"DELETED" => K::Deleted,
            b"DRAFT" => K::Draft,
            b"FLAGGED" => K::Flagged,
            b"FROM" => K::From(astring_arg(c)?),
            b"HEADER" => {
                let name = astring_arg(c)?;
                K::Header(name, astring_arg(c)?)
            }
            b"KEYWORD" => {
                c.sp()?;
                K::Keyword(Atom::parse(c)?)
            }
            b"LARGER" => {
                c.sp()?;
                K::Larger(number64(c)?)
            }
            b"NEW" => K::New,
            b"NOT" => {
                c.sp()?;
                K::Not(boxed_key(c)?)
            }
            b"OLD" => K::Old,
            b"ON" => K::On(date_arg(c)?),
            b"OR" => {
                c.sp()?;
                let left = boxed_key(c)?;
                c.sp()?;
                K::Or(left, boxed_key(c)?)
            }
            b"RECENT" => K::Recent,
            b"SEEN" => K::Seen,
            b"SENTBEFORE" => K::SentBefore(date_arg(c)?),
            b"SENTON" => K::SentOn(date_arg(c)?),
            b"SENTSINCE" => K::SentSince(date_arg(c)?),
            b"SINCE" => K::Since(date_arg(c)?),
            b"SMALLER" => {
                c.sp()?;
                K::Smaller(number64(c)?)
            }
            b"SUBJECT" => K::Subject(astring_arg(c)?),
            b"TEXT" => K::Text(astring_arg(c)?),
            b"TO" => K::To(astring_arg(c)?),
            b"UID" => {
                c.sp()?;
                K::Uid(SequenceSet::parse(c, true)?)
            }
            b"UNANSWERED" => K::Unanswered,
            b"UNDELETED" => K::Undeleted,
            b"UNDRAFT" => K::Undraft,
            b"UNFLAGGED" => K::Unflagged,
            b"UNKEYWORD" => {
                c.sp()?;
                K::Unkeyword(Atom::parse(c)?)
            }
            b"UNSEEN" => K::Unseen,
            b"MODSEQ" => {
                c.sp()?;
                let mut entry = None;
                if matches!(c.peek(), Some(b'"' | b'{')) {
                    let name = IString::parse_string(c)?;
                    c.sp()?;
                    let kind = if eat_keyword(c, b"priv") {
                        EntryType::Private
                    } else if eat_keyword(c, b"shared") {
                        EntryType::Shared
                    } else if eat_keyword(c, b"all") {
                        EntryType::All
                    } else {
                        return Err(c.error(Expected::Keyword));
                    };
                    c.sp()?;
                    entry = Some((name, kind));
                }
                K::ModSeq {
                    entry,
                    mod_seq: number64(c)?,
                }
            }
            b"OLDER" => {
                c.sp()?;
                K::Older(nz_number(c)?.get())
            }
            b"YOUNGER" => {
                c.sp()?;
                K::Younger(nz_number(c)?.get())
            }
            b"FUZZY" => {
                c.sp()?;
                K::Fuzzy(boxed_key(c)?)
            }
            b"EMAILID" => {
                c.sp()?;
                K::EmailId(Atom::parse(c)?)
            }
            b"THREADID" => {
                c.sp()?;
                K::ThreadId(Atom::parse(c)?)
            }
            b"SAVEDBEFORE" => K::SavedBefore(date_arg(c)?),
            b"SAVEDON" => K::SavedOn(date_arg(c)?),
            b"SAVEDSINCE" => K::SavedSince(date_arg(c)?),
            b"SAVEDATESUPPORTED" => K::SaveDateSupported,
            b"FILTER" => {
                c.sp()?;
                K::Filter(Atom::parse(c)?)
            }
            _ => {
                c.reset_to(start);
                return Err(c.error(Expected::SearchKey));
            }
        };
        Ok(key)
    }
}

// ---- encoding ----

impl Encode for SearchCommand<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(if self.uid { b"UID SEARCH" } else { b"SEARCH" });
        encode_return(out, self.return_options.as_deref());
        out.put(b" ");
        encode_program(out, self.charset.as_ref(), &self.criteria);
    }
}

pub(crate) fn encode_return<S: Sink + ?Sized>(
    out: &mut S,
    options: Option<&[SearchReturnOption<'_>]>,
) {
    if let Some(options) = options {
        out.put(b" RETURN ");
        encode_list(out, options);
    }
}

pub(crate) fn encode_program<S: Sink + ?Sized>(
    out: &mut S,
    charset: Option<&Charset<'_>>,
    criteria: &[SearchKey<'_>],
) {
    if let Some(charset) = charset {
        out.put(b"CHARSET ");
        charset.encode(out);
        out.put(b" ");
    }
    encode_spaced(out, criteria);
}

impl Encode for SearchReturnOption<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        use SearchReturnOption as R;
        match self {
            R::Min => out.put(b"MIN"),
            R::Max => out.put(b"MAX"),
            R::All => out.put(b"ALL"),
            R::Count => out.put(b"COUNT"),
            R::Save => out.put(b"SAVE"),
            R::Context => out.put(b"CONTEXT"),
            R::Update(attributes) => {
                out.put(b"UPDATE");
                if !attributes.is_empty() {
                    encode_list(out, attributes);
                }
            }
            R::Relevancy => out.put(b"RELEVANCY"),
            R::Partial(range) => {
                out.put(b"PARTIAL ");
                range.encode(out);
            }
            R::Other(ext) => ext.encode(out),
        }
    }
}

fn put_with<S: Sink + ?Sized>(out: &mut S, word: &[u8], value: &impl Encode) {
    out.put(word);
    out.put(b" ");
    value.encode(out);
}

fn put_num<S: Sink + ?Sized>(out: &mut S, word: &[u8], value: u64) {
    out.put(word);
    out.put(b" ");
    put_number(out, value);
}

impl Encode for SearchKey<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        use SearchKey as K;
        match self {
            K::All => out.put(b"ALL"),
            K::Answered => out.put(b"ANSWERED"),
            K::Bcc(s) => put_with(out, b"BCC", &super::encode::AStr(s)),
            K::Before(d) => put_with(out, b"BEFORE", d),
            K::Body(s) => put_with(out, b"BODY", &super::encode::AStr(s)),
            K::Cc(s) => put_with(out, b"CC", &super::encode::AStr(s)),
            K::Deleted => out.put(b"DELETED"),
            K::Draft => out.put(b"DRAFT"),
            K::Flagged => out.put(b"FLAGGED"),
            K::From(s) => put_with(out, b"FROM", &super::encode::AStr(s)),
            K::Header(name, value) => {
                put_with(out, b"HEADER", &super::encode::AStr(name));
                out.put(b" ");
                super::encode::AStr(value).encode(out);
            }
            K::Keyword(a) => put_with(out, b"KEYWORD", a),
            K::Larger(n) => put_num(out, b"LARGER", *n),
            K::New => out.put(b"NEW"),
            K::Not(k) => put_with(out, b"NOT", k.as_ref()),
            K::Old => out.put(b"OLD"),
            K::On(d) => put_with(out, b"ON", d),
            K::Or(a, b) => {
                put_with(out, b"OR", a.as_ref());
                out.put(b" ");
                b.encode(out);
            }
            K::Recent => out.put(b"RECENT"),
            K::Seen => out.put(b"SEEN"),
            K::SentBefore(d) => put_with(out, b"SENTBEFORE", d),
            K::SentOn(d) => put_with(out, b"SENTON", d),
            K::SentSince(d) => put_with(out, b"SENTSINCE", d),
            K::Since(d) => put_with(out, b"SINCE", d),
            K::Smaller(n) => put_num(out, b"SMALLER", *n),
            K::Subject(s) => put_with(out, b"SUBJECT", &super::encode::AStr(s)),
            K::Text(s) => put_with(out, b"TEXT", &super::encode::AStr(s)),
            K::To(s) => put_with(out, b"TO", &super::encode::AStr(s)),
            K::Uid(set) => put_with(out, b"UID", set),
            K::Unanswered => out.put(b"UNANSWERED"),
            K::Undeleted => out.put(b"UNDELETED"),
            K::Undraft => out.put(b"UNDRAFT"),
            K::Unflagged => out.put(b"UNFLAGGED"),
            K::Unkeyword(a) => put_with(out, b"UNKEYWORD", a),
            K::Unseen => out.put(b"UNSEEN"),
            K::SequenceSet(set) => set.encode(out),
            K::And(keys) => encode_list(out, keys),
            K::ModSeq { entry, mod_seq } => {
                out.put(b"MODSEQ ");
                if let Some((name, kind)) = entry {
                    super::encode::Str(name).encode(out);
                    out.put(match kind {
                        EntryType::Private => b" priv ",
                        EntryType::Shared => b" shared ",
                        EntryType::All => b" all ",
                    });
                }
                put_number(out, *mod_seq);
            }
            K::Older(n) => put_num(out, b"OLDER", u64::from(*n)),
            K::Younger(n) => put_num(out, b"YOUNGER", u64::from(*n)),
            K::Fuzzy(k) => put_with(out, b"FUZZY", k.as_ref()),
            K::EmailId(a) => put_with(out, b"EMAILID", a),
            K::ThreadId(a) => put_with(out, b"THREADID", a),
            K::SavedBefore(d) => put_with(out, b"SAVEDBEFORE", d),
            K::SavedOn(d) => put_with(out, b"SAVEDON", d),
            K::SavedSince(d) => put_with(out, b"SAVEDSINCE", d),
            K::SaveDateSupported => out.put(b"SAVEDATESUPPORTED"),
            K::Filter(a) => put_with(out, b"FILTER", a),
        }
    }
}
