//! Capabilities (RFC 9051 §7.2.2 `capability-data`, and every extension's capability name);
//! also the ENABLED response (RFC 5161).

use crate::core::cursor::{Cursor, ParseResult};
use crate::core::lazy::{self, LazyList, ListItem};
use crate::core::{Atom, Encode, IntoOwned, Sink};

macro_rules! capabilities {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, )*) => {
        /// One capability. Names are matched case-insensitively; parameterised ones
        /// (`AUTH=`, `COMPRESS=`, ...) carry their parameter; unknown ones are kept raw.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[non_exhaustive]
        pub enum Capability<'a> {
            $( $(#[$doc])* $variant, )*
            /// `AUTH=<mechanism>`.
            Auth(Atom<'a>),
            /// `COMPRESS=<algorithm>` (RFC 4978).
            Compress(Atom<'a>),
            /// `THREAD=<algorithm>` (RFC 5256).
            Thread(Atom<'a>),
            /// `SORT=<variant>`, e.g. `SORT=DISPLAY` (RFC 5957).
            SortVariant(Atom<'a>),
            /// `UTF8=<mode>` (`ACCEPT`, `ONLY`; RFC 6855).
            Utf8(Atom<'a>),
            /// `I18NLEVEL=<n>` (RFC 5255).
            I18nLevel(Atom<'a>),
            /// `CONTEXT=<what>` (`SEARCH`, `SORT`; RFC 5267).
            Context(Atom<'a>),
            /// `RIGHTS=<letters>` (RFC 4314).
            Rights(Atom<'a>),
            /// `QUOTA=RES-<resource>` (RFC 9208).
            QuotaResource(Atom<'a>),
            /// `APPENDLIMIT` or `APPENDLIMIT=<n>` (RFC 7889).
            AppendLimit(Option<u64>),
            /// `URLAUTH=<mechanism>`-style and any other `NAME=value` or unknown capability.
            Other(Atom<'a>),
        }

        impl<'a> Capability<'a> {
            fn from_atom(atom: Atom<'a>) -> Self {
                let text = atom.as_str();
                $( if text.eq_ignore_ascii_case($name) { return Capability::$variant; } )*
                const PREFIXES: [&str; 9] = [
                    "AUTH=", "COMPRESS=", "THREAD=", "SORT=", "UTF8=", "I18NLEVEL=", "CONTEXT=",
                    "RIGHTS=", "QUOTA=RES-",
                ];
                for (i, prefix) in PREFIXES.iter().enumerate() {
                    let matches = text.len() > prefix.len()
                        && text.get(..prefix.len()).is_some_and(|h| h.eq_ignore_ascii_case(prefix));
                    if matches {
                        let p = atom.tail(prefix.len());
                        return match i {
                            0 => Capability::Auth(p),
                            1 => Capability::Compress(p),
                            2 => Capability::Thread(p),
                            3 => Capability::SortVariant(p),
                            4 => Capability::Utf8(p),
                            5 => Capability::I18nLevel(p),
                            6 => Capability::Context(p),
                            7 => Capability::Rights(p),
                            _ => Capability::QuotaResource(p),
                        };
                    }
                }
                if text.eq_ignore_ascii_case("APPENDLIMIT") { return Capability::AppendLimit(None); }
                if let Some(rest) = text.get(..12)
                    .filter(|h| h.eq_ignore_ascii_case("APPENDLIMIT="))
                    .and_then(|_| text.get(12..))
                    && !rest.is_empty()
                    && rest.bytes().all(|b| b.is_ascii_digit())
                    && !(rest.starts_with('0') && rest.len() > 1)
                    && let Ok(n) = rest.parse::<u64>()
                {
                    return Capability::AppendLimit(Some(n));
                }
                Capability::Other(atom)
            }

            /// The canonical name of a parameterless capability.
            fn simple_name(&self) -> Option<&'static str> {
                match self {
                    $( Capability::$variant => Some($name), )*
                    _ => None,
                }
            }
        }
    };
}

capabilities! {
    /// `IMAP4rev1` (RFC 3501).
    Imap4rev1 = "IMAP4rev1",
    /// `IMAP4rev2` (RFC 9051).
    Imap4rev2 = "IMAP4rev2",
    /// `STARTTLS`.
    StartTls = "STARTTLS",
    /// `LOGINDISABLED`.
    LoginDisabled = "LOGINDISABLED",
    /// `IDLE` (RFC 2177).
    Idle = "IDLE",
    /// `NAMESPACE` (RFC 2342).
    Namespace = "NAMESPACE",
    /// `ID` (RFC 2971).
    Id = "ID",
    /// `CHILDREN` (RFC 3348).
    Children = "CHILDREN",
    /// `UIDPLUS` (RFC 4315).
    UidPlus = "UIDPLUS",
    /// `UNSELECT` (RFC 3691).
    Unselect = "UNSELECT",
    /// `ENABLE` (RFC 5161).
    Enable = "ENABLE",
    /// `MOVE` (RFC 6851).
    Move = "MOVE",
    /// `LITERAL+` (RFC 7888).
    LiteralPlus = "LITERAL+",
    /// `LITERAL-` (RFC 7888).
    LiteralMinus = "LITERAL-",
    /// `SASL-IR` (RFC 4959).
    SaslIr = "SASL-IR",
    /// `BINARY` (RFC 3516).
    Binary = "BINARY",
    /// `SORT` (RFC 5256).
    Sort = "SORT",
    /// `CONDSTORE` (RFC 7162).
    CondStore = "CONDSTORE",
    /// `QRESYNC` (RFC 7162).
    QResync = "QRESYNC",
    /// `ESEARCH` (RFC 4731).
    ESearch = "ESEARCH",
    /// `ESORT` (RFC 5267).
    ESort = "ESORT",
    /// `SEARCHRES` (RFC 5182).
    SearchRes = "SEARCHRES",
    /// `WITHIN` (RFC 5032).
    Within = "WITHIN",
    /// `SEARCH=FUZZY` (RFC 6203).
    SearchFuzzy = "SEARCH=FUZZY",
    /// `MULTISEARCH` (RFC 7377).
    MultiSearch = "MULTISEARCH",
    /// `LIST-EXTENDED` (RFC 5258).
    ListExtended = "LIST-EXTENDED",
    /// `LIST-STATUS` (RFC 5819).
    ListStatus = "LIST-STATUS",
    /// `LIST-MYRIGHTS` (RFC 8440).
    ListMyRights = "LIST-MYRIGHTS",
    /// `SPECIAL-USE` (RFC 6154).
    SpecialUse = "SPECIAL-USE",
    /// `CREATE-SPECIAL-USE` (RFC 6154).
    CreateSpecialUse = "CREATE-SPECIAL-USE",
    /// `OBJECTID` (RFC 8474).
    ObjectId = "OBJECTID",
    /// `STATUS=SIZE` (RFC 8438).
    StatusSize = "STATUS=SIZE",
    /// `MULTIAPPEND` (RFC 3502).
    MultiAppend = "MULTIAPPEND",
    /// `CATENATE` (RFC 4469).
    Catenate = "CATENATE",
    /// `ACL` (RFC 4314).
    Acl = "ACL",
    /// `LANGUAGE` (RFC 5255).
    Language = "LANGUAGE",
    /// `ANNOTATE-EXPERIMENT-1` (RFC 5257).
    Annotate = "ANNOTATE-EXPERIMENT-1",
    /// `CONVERT` (RFC 5259).
    Convert = "CONVERT",
    /// `NOTIFY` (RFC 5465).
    Notify = "NOTIFY",
    /// `FILTERS` (RFC 5466).
    Filters = "FILTERS",
    /// `METADATA` (RFC 5464).
    Metadata = "METADATA",
    /// `METADATA-SERVER` (RFC 5464).
    MetadataServer = "METADATA-SERVER",
    /// `QUOTA` (RFC 9208 / RFC 2087).
    Quota = "QUOTA",
    /// `QUOTASET` (RFC 9208).
    QuotaSet = "QUOTASET",
    /// `UNAUTHENTICATE` (RFC 8437).
    Unauthenticate = "UNAUTHENTICATE",
    /// `REPLACE` (RFC 8508).
    Replace = "REPLACE",
    /// `SAVEDATE` (RFC 8514).
    SaveDate = "SAVEDATE",
    /// `PREVIEW` (RFC 8970).
    Preview = "PREVIEW",
    /// `PARTIAL` (RFC 9394).
    Partial = "PARTIAL",
    /// `URLAUTH` (RFC 4467).
    UrlAuth = "URLAUTH",
    /// `X-GM-EXT-1` (Gmail extensions).
    GmailExt1 = "X-GM-EXT-1",
}

impl<'a> Capability<'a> {
    /// Parses one capability (an atom).
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let atom = Atom::parse(c).map_err(|_| c.error(crate::Expected::Capability))?;
        Ok(Self::from_atom(atom))
    }

    /// Parses `capability *(SP capability)` up to the end of the line's data (a `]` or CRLF),
    /// validating every capability now and typing each when the list is read (see
    /// [`LazyList`]).
    pub fn parse_list(c: &mut Cursor<'a>) -> ParseResult<LazyList<'a, Self>> {
        lazy::spaced(
            c,
            false,
            |c| c.peek() == Some(b' ') && c.peek_at(1).is_some_and(crate::core::atom::is_atom_char),
            |c| Self::parse(c).map(drop),
        )
    }

    /// Encodes `capability *(SP capability)`.
    pub fn encode_list<S: Sink + ?Sized>(caps: &LazyList<'_, Self>, out: &mut S) {
        caps.encode_items(out, b" ", Encode::encode);
    }
}

impl<'a> ListItem<'a> for Capability<'a> {
    fn parse_item(c: &mut Cursor<'a>) -> ParseResult<Self> {
        Self::parse(c)
    }
}

impl Encode for Capability<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        if let Some(name) = self.simple_name() {
            return out.put(name.as_bytes());
        }
        let (prefix, param): (&[u8], &Atom<'_>) = match self {
            Capability::Auth(p) => (b"AUTH=", p),
            Capability::Compress(p) => (b"COMPRESS=", p),
            Capability::Thread(p) => (b"THREAD=", p),
            Capability::SortVariant(p) => (b"SORT=", p),
            Capability::Utf8(p) => (b"UTF8=", p),
            Capability::I18nLevel(p) => (b"I18NLEVEL=", p),
            Capability::Context(p) => (b"CONTEXT=", p),
            Capability::Rights(p) => (b"RIGHTS=", p),
            Capability::QuotaResource(p) => (b"QUOTA=RES-", p),
            Capability::Other(p) => (b"", p),
            Capability::AppendLimit(limit) => {
                out.put(b"APPENDLIMIT");
                if let Some(n) = limit {
                    out.put(b"=");
                    crate::core::encode::put_number(out, *n);
                }
                return;
            }
            _ => return,
        };
        out.put(prefix);
        param.encode(out);
    }
}

impl IntoOwned for Capability<'_> {
    type Owned = Capability<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            Capability::Auth(p) => Capability::Auth(p.into_owned()),
            Capability::Compress(p) => Capability::Compress(p.into_owned()),
            Capability::Thread(p) => Capability::Thread(p.into_owned()),
            Capability::SortVariant(p) => Capability::SortVariant(p.into_owned()),
            Capability::Utf8(p) => Capability::Utf8(p.into_owned()),
            Capability::I18nLevel(p) => Capability::I18nLevel(p.into_owned()),
            Capability::Context(p) => Capability::Context(p.into_owned()),
            Capability::Rights(p) => Capability::Rights(p.into_owned()),
            Capability::QuotaResource(p) => Capability::QuotaResource(p.into_owned()),
            Capability::AppendLimit(n) => Capability::AppendLimit(n),
            Capability::Other(p) => Capability::Other(p.into_owned()),
            simple => {
                let name = simple.simple_name().unwrap_or("X");
                Capability::from_atom(Atom::unchecked(name))
            }
        }
    }
}
