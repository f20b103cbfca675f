//! Chunk sizes for the stream targets, drawn from a hash of the whole input.
//!
//! The input is the stream, all of it: a capture of real traffic is a valid seed as is (a
//! length prefix would eat its first bytes). Every distinct input still gets its own split,
//! from a PRNG seeded with the input's hash, mixing single octets (the worst case for a
//! resumable decoder) with short and long chunks.

/// An endless sequence of chunk sizes (each at least 1) determined by the input.
pub struct Chunks {
    state: u64,
}

impl Chunks {
    /// The sizes for `input`: FNV-1a of the bytes seeds a xorshift64* generator.
    pub fn new(input: &[u8]) -> Self {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for &byte in input {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        // xorshift must not start at zero.
        Self { state: hash | 1 }
    }

    /// The next chunk size: 1 (a quarter of the time), up to 8, up to 64, or up to 1024.
    pub fn next_size(&mut self) -> usize {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        let random = self.state.wrapping_mul(0x2545_f491_4f6c_dd1d);
        let span: u64 = match random & 3 {
            0 => 1,
            1 => 8,
            2 => 64,
            _ => 1024,
        };
        // Bounded by 1024, so the conversion cannot truncate.
        1 + ((random >> 8) % span) as usize
    }
}
