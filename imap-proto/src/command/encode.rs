//! Encoding commands, whole or as fragments split at literals.
//!
//! A client may not send a synchronising literal's data before the server's `+`
//! continuation request, so [`encode_fragments`] yields the command as a sequence of
//! [`Fragment`]s: a client writes each [`Fragment::Line`], and before each
//! [`Fragment::Literal`] with [`LiteralMode::Sync`] waits for `+` (a tagged `NO`/`BAD`
//! instead means the command was rejected). [`LiteralMode::NonSync`] literals (LITERAL+,
//! LITERAL-) are written at once.

use crate::core::atom::is_astring_char;
use crate::core::encode::put_number;
use crate::core::{Encode, IString, Literal, LiteralMode, Mailbox, Quoted, Sink};

use super::{Command, CommandBody};

/// One piece of an encoded command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fragment {
    /// Command text, ending either with a literal announcement (`{n}\r\n`) or with the final
    /// CRLF.
    Line(Vec<u8>),
    /// A literal's data, announced at the end of the previous line.
    Literal {
        /// The octets.
        data: Vec<u8>,
        /// `Sync`: wait for the server's `+` before writing `data`; `NonSync`: write at once.
        mode: LiteralMode,
    },
}

/// How a client announces literals, according to what the server advertised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LiteralPolicy {
    /// Every literal is synchronising, `{n}` (no LITERAL+/- capability).
    #[default]
    Synchronizing,
    /// Every literal is non-synchronising, `{n+}` (LITERAL+, RFC 7888).
    LiteralPlus,
    /// Literals up to 4096 octets are `{n+}`, larger ones `{n}` (LITERAL-, RFC 7888).
    LiteralMinus,
}

impl LiteralPolicy {
    fn mode_for(self, size: u64) -> LiteralMode {
        match self {
            LiteralPolicy::Synchronizing => LiteralMode::Sync,
            LiteralPolicy::LiteralPlus => LiteralMode::NonSync,
            LiteralPolicy::LiteralMinus if size <= 4096 => LiteralMode::NonSync,
            LiteralPolicy::LiteralMinus => LiteralMode::Sync,
        }
    }
}

/// The fragments of an encoded command, in order (see [`encode_fragments`]).
#[derive(Debug, Clone)]
pub struct Fragments {
    inner: std::vec::IntoIter<Fragment>,
}

impl Iterator for Fragments {
    type Item = Fragment;
    fn next(&mut self) -> Option<Fragment> {
        self.inner.next()
    }
}

/// Encodes `command` as fragments, announcing literals as `policy` says.
///
/// A client writes each [`Fragment::Line`], and before each [`Fragment::Literal`] with
/// [`LiteralMode::Sync`] waits for the server's `+` (a tagged `NO`/`BAD` instead means the
/// command was rejected). [`LiteralMode::NonSync`] literals are written at once.
pub fn encode_fragments(command: &Command<'_>, policy: LiteralPolicy) -> Fragments {
    let mut sink = FragmentSink {
        fragments: Vec::new(),
        line: Vec::new(),
        literal: None,
        policy,
    };
    command.encode(&mut sink);
    if !sink.line.is_empty() {
        let line = std::mem::take(&mut sink.line);
        sink.fragments.push(Fragment::Line(line));
    }
    Fragments {
        inner: sink.fragments.into_iter(),
    }
}

/// A [`Sink`] that cuts the output at every literal.
struct FragmentSink {
    fragments: Vec<Fragment>,
    line: Vec<u8>,
    /// The literal being written: bytes still expected, mode, data so far.
    literal: Option<(usize, LiteralMode, Vec<u8>)>,
    policy: LiteralPolicy,
}

impl Sink for FragmentSink {
    fn put(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            match self.literal.as_mut() {
                Some((remaining, _, data)) => {
                    let take = (*remaining).min(bytes.len());
                    let (head, tail) = bytes.split_at(take);
                    data.extend_from_slice(head);
                    *remaining -= take;
                    bytes = tail;
                    self.finish_literal_if_done();
                }
                None => {
                    self.line.extend_from_slice(bytes);
                    return;
                }
            }
        }
    }

    fn literal_follows(&mut self, _synchronizing: bool) {
        // The announcement `~{n}` / `{n+}` plus CRLF ends the line: re-announce it as the
        // policy says.
        let Some((open, size)) = announcement_at_end(&self.line) else {
            return;
        };
        let mode = self.policy.mode_for(size);
        self.line.truncate(open + 1);
        put_number(&mut self.line, size);
        if mode == LiteralMode::NonSync {
            self.line.push(b'+');
        }
        self.line.extend_from_slice(b"}\r\n");
        let line = std::mem::take(&mut self.line);
        self.fragments.push(Fragment::Line(line));
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        self.literal = Some((size, mode, Vec::with_capacity(size.min(1 << 20))));
        self.finish_literal_if_done();
    }
}

impl FragmentSink {
    fn finish_literal_if_done(&mut self) {
        if let Some((0, mode, _)) = &self.literal {
            let mode = *mode;
            if let Some((_, _, data)) = self.literal.take() {
                self.fragments.push(Fragment::Literal { data, mode });
            }
        }
    }
}

/// Finds `{n}\r\n` or `{n+}\r\n` at the end of `line`: the offset of `{` and `n`.
fn announcement_at_end(line: &[u8]) -> Option<(usize, u64)> {
    let body = line.strip_suffix(b"}\r\n")?;
    let body = body.strip_suffix(b"+").unwrap_or(body);
    let digits = body.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    let open = body.len().checked_sub(digits + 1)?;
    if body.get(open) != Some(&b'{') || digits == 0 {
        return None;
    }
    let mut size: u64 = 0;
    for &d in body.get(open + 1..)? {
        size = size.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some((open, size))
}

impl Encode for Command<'_> {
    /// Writes the whole command: tag, body, CRLF (literals inline).
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        self.tag.encode(out);
        out.put(b" ");
        self.body.encode(out);
        out.put(b"\r\n");
    }
}

fn put_mailbox_command<S: Sink + ?Sized>(out: &mut S, word: &[u8], value: &impl Encode) {
    out.put(word);
    out.put(b" ");
    value.encode(out);
}

impl Encode for CommandBody<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        use CommandBody as B;
        match self {
            B::Capability => out.put(b"CAPABILITY"),
            B::Noop => out.put(b"NOOP"),
            B::Logout => out.put(b"LOGOUT"),
            B::StartTls => out.put(b"STARTTLS"),
            B::Authenticate(auth) => {
                out.put(b"AUTHENTICATE ");
                auth.mechanism.encode(out);
                match &auth.initial_response {
                    None => {}
                    Some(super::auth::SaslData::Empty) => out.put(b" ="),
                    Some(super::auth::SaslData::Base64(data)) => {
                        out.put(b" ");
                        out.put(data.as_bytes());
                    }
                }
            }
            B::Login { username, password } => {
                out.put(b"LOGIN ");
                AStr(username).encode(out);
                out.put(b" ");
                AStr(password).encode(out);
            }
            B::Unauthenticate => out.put(b"UNAUTHENTICATE"),
            B::Enable(caps) => {
                out.put(b"ENABLE");
                for cap in caps {
                    out.put(b" ");
                    cap.encode(out);
                }
            }
            B::Id(None) => out.put(b"ID NIL"),
            B::Id(Some(params)) => {
                out.put(b"ID (");
                for (i, (field, value)) in params.iter().enumerate() {
                    if i > 0 {
                        out.put(b" ");
                    }
                    Str(field).encode(out);
                    out.put(b" ");
                    put_nstring(out, value.as_ref());
                }
                out.put(b")");
            }
            B::Idle => out.put(b"IDLE"),
            B::Namespace => out.put(b"NAMESPACE"),
            B::Compress(mechanism) => put_mailbox_command(out, b"COMPRESS", mechanism),
            B::Select(select) => put_mailbox_command(out, b"SELECT", select),
            B::Examine(select) => put_mailbox_command(out, b"EXAMINE", select),
            B::Create(create) => put_mailbox_command(out, b"CREATE", create),
            B::Delete(mailbox) => put_mailbox_command(out, b"DELETE", &MailboxStr(mailbox)),
            B::Rename { from, to } => {
                put_mailbox_command(out, b"RENAME", &MailboxStr(from));
                out.put(b" ");
                MailboxStr(to).encode(out);
            }
            B::Subscribe(mailbox) => put_mailbox_command(out, b"SUBSCRIBE", &MailboxStr(mailbox)),
            B::Unsubscribe(mailbox) => {
                put_mailbox_command(out, b"UNSUBSCRIBE", &MailboxStr(mailbox))
            }
            B::List(list) => put_mailbox_command(out, b"LIST", list),
            B::Lsub { reference, pattern } => {
                put_mailbox_command(out, b"LSUB", &MailboxStr(reference));
                out.put(b" ");
                pattern.encode(out);
            }
            B::Status(status) => put_mailbox_command(out, b"STATUS", status),
            B::Append(append) => append.encode(out),
            B::Check => out.put(b"CHECK"),
            B::Close => out.put(b"CLOSE"),
            B::Unselect => out.put(b"UNSELECT"),
            B::Expunge => out.put(b"EXPUNGE"),
            B::UidExpunge(set) => put_mailbox_command(out, b"UID EXPUNGE", set),
            B::Fetch(fetch) => fetch.encode(out),
            B::Store(store) => store.encode(out),
            B::Copy { uid, set, mailbox } => {
                put_mailbox_command(out, if *uid { b"UID COPY" } else { b"COPY" }, set);
                out.put(b" ");
                MailboxStr(mailbox).encode(out);
            }
            B::Move { uid, set, mailbox } => {
                put_mailbox_command(out, if *uid { b"UID MOVE" } else { b"MOVE" }, set);
                out.put(b" ");
                MailboxStr(mailbox).encode(out);
            }
            B::Search(search) => search.encode(out),
            B::Sort(sort) => sort.encode(out),
            B::Thread(thread) => thread.encode(out),
            B::Quota(quota) => quota.encode(out),
            B::Metadata(metadata) => metadata.encode(out),
            B::Acl(acl) => acl.encode(out),
            B::Replace(replace) => replace.encode(out),
            B::Notify(notify) => put_mailbox_command(out, b"NOTIFY", notify),
            B::Unknown(unknown) => {
                out.put(unknown.name.as_bytes());
                if !unknown.arguments.is_empty() {
                    out.put(b" ");
                    put_raw_with_literals(out, unknown.arguments.as_bytes());
                }
            }
        }
    }
}

/// Writes raw argument bytes, telling the sink about each literal announced in them so
/// fragmenting still splits at literals.
fn put_raw_with_literals<S: Sink + ?Sized>(out: &mut S, mut raw: &[u8]) {
    while let Some(lf) = memchr::memchr(b'\n', raw) {
        let (line, rest) = raw.split_at(lf + 1);
        out.put(line);
        raw = rest;
        if let Some((_, size)) = announcement_at_end(line) {
            let synchronizing = !line.ends_with(b"+}\r\n");
            out.literal_follows(synchronizing);
            let size = usize::try_from(size).unwrap_or(usize::MAX).min(raw.len());
            let (data, rest) = raw.split_at(size);
            out.put(data);
            raw = rest;
        }
    }
    out.put(raw);
}

/// Encodes an `astring` in its cheapest valid form: atom, else quoted, else literal
/// (a `literal8` stays one).
#[derive(Debug, Clone, Copy)]
pub(crate) struct AStr<'v, 'a>(pub &'v IString<'a>);

impl Encode for AStr<'_, '_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        let bytes = self.0.bytes();
        let is_binary = matches!(self.0, IString::Literal(l) if l.binary);
        if !is_binary && !bytes.is_empty() && bytes.iter().all(|&b| is_astring_char(b)) {
            out.put(&bytes);
        } else {
            Str(self.0).encode(out);
        }
    }
}

/// Encodes a `string` in its cheapest valid form: quoted, else literal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Str<'v, 'a>(pub &'v IString<'a>);

impl Encode for Str<'_, '_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        if let IString::Literal(literal) = self.0
            && literal.binary
        {
            return literal.encode(out);
        }
        let bytes = self.0.bytes();
        match Quoted::new(&bytes) {
            Some(quoted) => quoted.encode(out),
            None => match self.0 {
                IString::Literal(literal) => literal.encode(out),
                _ => Literal::new(&*bytes).encode(out),
            },
        }
    }
}

/// Encodes an `nstring`: `NIL` or the cheapest string.
pub(crate) fn put_nstring<S: Sink + ?Sized>(out: &mut S, value: Option<&IString<'_>>) {
    match value {
        Some(value) => Str(value).encode(out),
        None => out.put(b"NIL"),
    }
}

/// Encodes a mailbox name as the cheapest astring.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MailboxStr<'v, 'a>(pub &'v Mailbox<'a>);

impl Encode for MailboxStr<'_, '_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self.0 {
            Mailbox::Inbox => out.put(b"INBOX"),
            Mailbox::Other(name) => AStr(name).encode(out),
        }
    }
}
