//! The client role: decoding what a server sends, one reply at a time, however many replies
//! a read delivered (PIPELINING, RFC 2920) and however the bytes were split.

use crate::reply::{Reply, ReplyScan};
use crate::{DecodeError, Decoded, Limits};

/// Streaming decoder of the server's replies, for a client. Keeps its scan position so a
/// multi-line reply arriving in pieces is searched once.
#[derive(Debug, Clone)]
pub struct ReplyDecoder {
    limits: Limits,
    scan: ReplyScan,
}

impl ReplyDecoder {
    /// A decoder under `limits`.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            scan: ReplyScan::default(),
        }
    }

    /// Decodes the reply at the start of `input`. After [`Decoded::Incomplete`], call again
    /// with the same bytes plus more; after a complete reply, with the bytes that follow it.
    /// A 334 reply carries a SASL challenge ([`Reply::challenge`]); the client answers with
    /// an [`AuthResponse`](crate::AuthResponse) line.
    pub fn decode<'a>(&mut self, input: &'a [u8]) -> Result<Decoded<Reply<'a>>, DecodeError> {
        let result = self.scan.decode(input, &self.limits);
        if result.is_err() {
            self.scan = ReplyScan::default();
        }
        result
    }

    /// Forgets a partly scanned reply (after the caller discarded the bytes).
    pub fn reset(&mut self) {
        self.scan = ReplyScan::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ReplyCode;

    #[test]
    fn pipelined_replies_come_one_at_a_time() {
        let mut decoder = ReplyDecoder::new(Limits::default());
        let mut input: &[u8] =
            b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n";
        let mut codes = Vec::new();
        while let Decoded::Complete { value, consumed } = decoder.decode(input).unwrap() {
            codes.push(value.code().get());
            input = &input[consumed..];
        }
        assert_eq!(codes, vec![250, 250, 354]);
        let (challenge, _) = decoder
            .decode(b"334 VXNlcm5hbWU6\r\n")
            .unwrap()
            .complete()
            .unwrap();
        assert_eq!(challenge.code(), ReplyCode::AUTH_CONTINUE);
        assert_eq!(
            challenge.challenge().unwrap().decode().unwrap(),
            b"Username:"
        );
    }
}
