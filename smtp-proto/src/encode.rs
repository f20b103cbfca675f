//! Serialisation: every decoded value writes itself back in wire form.

use std::io;

use bytes::{BufMut, BytesMut};

/// A value with a wire form.
pub trait Encode {
    /// Writes the wire form into `out`.
    fn write_to<W: io::Write + ?Sized>(&self, out: &mut W) -> io::Result<()>;

    /// Appends the wire form to `out`.
    fn encode(&self, out: &mut BytesMut) {
        let mut writer = out.writer();
        // Writing into a `BytesMut` grows it and cannot fail.
        let _ = self.write_to(&mut writer);
    }

    /// The wire form as a new vector.
    fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Writing into a `Vec` cannot fail.
        let _ = self.write_to(&mut out);
        out
    }
}
