//! Finding where a top-level object (VCALENDAR or VCARD) ends in a stream that arrives in
//! chunks, without rescanning bytes already seen, and at the end of the input
//! ([`ObjectFramer::finish`]).

/// Incremental end-of-object finder. Feed it the growing buffer; it remembers how far it has
/// scanned and the BEGIN/END depth, so each byte is examined once. When it reports an end,
/// decode that prefix with [`decode_calendar`](crate::ical::decode_calendar) or
/// [`decode_vcard`](crate::vcard::decode_vcard), then [`ObjectFramer::reset`] for the next.
///
/// It only counts `BEGIN:`/`END:` at the start of a physical line, which is where every
/// producer writes them; the decoder still checks the full grammar.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectFramer {
    scanned: usize,
    depth: usize,
    seen_begin: bool,
}

impl ObjectFramer {
    /// A framer at the start of an object.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets the state, for the next object (whose bytes start at offset 0 again).
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// The length of the first complete top-level object in `buffer` (through the line break
    /// after its END line), or `None` if it is not complete yet. `buffer` must start with the
    /// same bytes as on the previous call.
    pub fn end_of_object(&mut self, buffer: &[u8]) -> Option<usize> {
        while let Some(rest) = buffer.get(self.scanned..) {
            let lf = memchr::memchr(b'\n', rest)?;
            let line = rest.get(..lf).unwrap_or_default();
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            self.scanned += lf + 1;
            if starts_with_ignore_case(line, b"BEGIN:") {
                self.depth += 1;
                self.seen_begin = true;
            } else if starts_with_ignore_case(line, b"END:") {
                self.depth = self.depth.saturating_sub(1);
                if self.seen_begin && self.depth == 0 {
                    return Some(self.scanned);
                }
            }
        }
        None
    }
}

impl ObjectFramer {
    /// The length of the first complete top-level object in `buffer` once the input has
    /// ended (end of file, end of the HTTP body): like [`ObjectFramer::end_of_object`], but a
    /// last line without a line break counts (`…END:VCALENDAR` at the very end of a file).
    /// `None` means the object will never be complete; decode the buffer with
    /// [`DecodeOptions::whole_body`](crate::ical::DecodeOptions::whole_body) to learn why
    /// (or, in lenient mode, to recover what it holds).
    pub fn finish(&mut self, buffer: &[u8]) -> Option<usize> {
        if let Some(end) = self.end_of_object(buffer) {
            return Some(end);
        }
        let last = buffer.get(self.scanned..)?;
        let line = last.strip_suffix(b"\r").unwrap_or(last);
        self.scanned = buffer.len();
        if starts_with_ignore_case(line, b"END:") && self.seen_begin && self.depth == 1 {
            self.depth = 0;
            return Some(buffer.len());
        }
        None
    }
}

fn starts_with_ignore_case(line: &[u8], prefix: &[u8]) -> bool {
    line.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}
