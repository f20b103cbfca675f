//! Encoding: every value writes itself into a [`Sink`] (`Vec<u8>`, `BytesMut`, or any
//! `std::io::Write` through [`Encode::write_to`]).

use std::io;

/// Where encoded bytes go.
pub trait Sink {
    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]);

    /// Called right after a literal announcement (`{n}\r\n`, `{n+}\r\n`, `~{n}\r\n`) was
    /// written and before the literal's data, so a command encoder can split the output into
    /// fragments at synchronising literals. Does nothing by default.
    fn literal_follows(&mut self, synchronizing: bool) {
        let _ = synchronizing;
    }
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl Sink for bytes::BytesMut {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// A value that has a wire form.
pub trait Encode {
    /// Writes the wire form into `out`.
    fn encode<S: Sink + ?Sized>(&self, out: &mut S);

    /// The wire form as a new vector.
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// Writes the wire form to `writer`.
    fn write_to<W: io::Write + ?Sized>(&self, writer: &mut W) -> io::Result<()> {
        let mut sink = WriteSink {
            writer,
            error: None,
        };
        self.encode(&mut sink);
        sink.error.map_or(Ok(()), Err)
    }
}

/// Adapts an `io::Write` to [`Sink`], keeping the first error.
struct WriteSink<'w, W: io::Write + ?Sized> {
    writer: &'w mut W,
    error: Option<io::Error>,
}

impl<W: io::Write + ?Sized> Sink for WriteSink<'_, W> {
    fn put(&mut self, bytes: &[u8]) {
        if self.error.is_none()
            && let Err(error) = self.writer.write_all(bytes)
        {
            self.error = Some(error);
        }
    }
}

/// Writes a decimal number.
pub fn put_number<S: Sink + ?Sized>(out: &mut S, value: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = value;
    loop {
        at -= 1;
        if let Some(slot) = digits.get_mut(at) {
            *slot = b'0' + (rest % 10) as u8;
        }
        rest /= 10;
        if rest == 0 || at == 0 {
            break;
        }
    }
    out.put(digits.get(at..).unwrap_or_default());
}
