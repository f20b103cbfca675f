//! Decoding a response allocates nothing, FETCH responses with ENVELOPE, BODYSTRUCTURE and
//! FLAGS included, and so does every response with a list (CAPABILITY, LIST, STATUS,
//! NAMESPACE, ESEARCH, THREAD, ...): every list is kept as its validated bytes (see
//! `LazyList`), and so is the FETCH attribute list itself. Reading the attributes then builds
//! them, boxes and all.
//!
//! One test in this binary, so that nothing else allocates while it counts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use groupwire_imap::response::{Data, FetchAttribute, Response};
use groupwire_imap::{Decoded, Limits};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on unchanged to the system allocator; this only counts them.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract for `alloc` is the system allocator's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above, that is from the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// The allocations `work` makes.
fn allocations<T>(work: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let value = work();
    (value, ALLOCATIONS.load(Ordering::Relaxed) - before)
}

const FETCH: &[u8] = b"* 7 FETCH (UID 9 FLAGS (\\Seen $Forwarded) ENVELOPE (\"Mon, 2 Jan 2024\" \"hi\" ((\"Al\" NIL \"al\" \"a.example\")) NIL NIL ((NIL NIL \"bo\" \"b.example\") (NIL NIL \"cy\" \"c.example\")) () NIL NIL \"<1@x>\") BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL \"7BIT\" 10 1 NIL NIL (\"en\" \"de\") NIL)(\"APPLICATION\" \"PDF\" NIL NIL NIL \"BASE64\" 20 NIL NIL \"fr\") \"MIXED\" (\"BOUNDARY\" \"b1\") NIL NIL) BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 3 1) BODY[HEADER.FIELDS (FROM)] {9}\r\nFrom: a\r\n RFC822.SIZE 44)\r\n";

#[test]
fn decoding_allocates_nothing_and_reading_builds_the_attributes() {
    let limits = Limits::default();
    for input in [
        FETCH,
        &b"* 3 EXISTS\r\n"[..],
        b"A1 OK [UIDNEXT 4] done\r\n",
        b"* 2 FETCH (FLAGS ())\r\n",
        b"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot ready.\r\n",
        b"* CAPABILITY IMAP4rev1 IMAP4rev2 IDLE NAMESPACE QUOTA ACL METADATA THREAD=REFERENCES\r\n",
        b"* ENABLED CONDSTORE QRESYNC\r\n",
        b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)\r\n",
        b"* OK [PERMANENTFLAGS (\\Answered \\Seen \\*)] Flags permitted.\r\n",
        b"A2 NO [BADCHARSET (UTF-8 US-ASCII)] unsupported\r\n",
        b"* LIST (\\HasNoChildren \\Sent) \"/\" Sent (CHILDINFO (\"SUBSCRIBED\") OLDNAME (\"Old\"))\r\n",
        b"* STATUS INBOX (MESSAGES 231 UIDNEXT 44292 UNSEEN 3 HIGHESTMODSEQ 7)\r\n",
        b"* ESEARCH (TAG \"A3\") UID MIN 7 MAX 3800 COUNT 4 ALL 7,3800 ADDTO (0 3)\r\n",
        b"* THREAD (2)(3 6 (4 23)(44 7 96))\r\n",
        b"* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#public/\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\")))\r\n",
        b"* ID (\"name\" \"Dovecot\" \"os\" NIL)\r\n",
        b"* QUOTA \"\" (STORAGE 10 512 MESSAGE 1 100)\r\n",
        b"* QUOTAROOT INBOX \"\" user\r\n",
        b"* ACL INBOX fred rwipsldexta bob lr\r\n",
        b"* LISTRIGHTS INBOX fred lr x k\r\n",
        b"* METADATA INBOX (/private/comment \"hi\" /shared/x NIL)\r\n",
        b"* METADATA INBOX /shared/a /shared/b\r\n",
    ] {
        let (decoded, made) = allocations(|| Response::decode(input, &limits));
        assert!(
            matches!(decoded, Ok(Decoded::Complete { consumed, .. }) if consumed == input.len()),
            "{decoded:?}"
        );
        assert_eq!(made, 0, "{}", String::from_utf8_lossy(input));
    }

    let Ok(Decoded::Complete {
        value: Response::Data(Data::Fetch(fetch)),
        ..
    }) = Response::decode(FETCH, &limits)
    else {
        panic!()
    };
    let mut names = Vec::with_capacity(8);
    let ((), made) = allocations(|| {
        names.extend(fetch.attributes.iter().map(|attribute| match &*attribute {
            FetchAttribute::Uid(_) => "UID",
            FetchAttribute::Flags(_) => "FLAGS",
            FetchAttribute::Envelope(_) => "ENVELOPE",
            FetchAttribute::BodyStructure(_) => "BODYSTRUCTURE",
            FetchAttribute::Body(_) => "BODY",
            FetchAttribute::BodySection { .. } => "BODY[]",
            FetchAttribute::Rfc822Size(44) => "RFC822.SIZE",
            other => panic!("{other:?}"),
        }));
    });
    assert_eq!(
        names,
        [
            "UID",
            "FLAGS",
            "ENVELOPE",
            "BODYSTRUCTURE",
            "BODY",
            "BODY[]",
            "RFC822.SIZE"
        ]
    );
    // The boxed envelope and the two boxed body structures: built when read, not decoded.
    assert_eq!(made, 3);
    assert_eq!(fetch.uid().map(|uid| uid.get()), Some(9));
}
