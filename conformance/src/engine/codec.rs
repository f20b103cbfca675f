//! Adapters from the codecs' decoder results to [`Framed`], for
//! [`Connection::read_until_decoded`](super::Connection::read_until_decoded):
//!
//! ```ignore
//! let reply = conn
//!     .read_until_decoded(|buf| framed::smtp(decode_reply(buf, &limits), |r| r.into_owned()))
//!     .await?;
//! ```
//!
//! `own` turns the value, which borrows from the connection's buffer, into an owned one
//! (usually `into_owned()`). A decode error becomes [`Framed::Invalid`] with the codec's
//! message and offset, so the check's outcome names what the server got wrong.

use super::conn::Framed;

macro_rules! adapter {
    ($name:ident, $krate:ident) => {
        #[doc = concat!("Adapts a `", stringify!($krate), "` decoder result.")]
        pub fn $name<T, U>(
            result: Result<$krate::Decoded<T>, $krate::DecodeError>,
            own: impl FnOnce(T) -> U,
        ) -> Framed<U> {
            match result {
                Ok($krate::Decoded::Complete { value, consumed }) => Framed::Complete {
                    value: own(value),
                    consumed,
                },
                Ok($krate::Decoded::Incomplete { .. }) => Framed::Incomplete,
                Err(error) => Framed::Invalid(error.to_string()),
            }
        }
    };
}

adapter!(imap, groupwire_imap);
adapter!(smtp, groupwire_smtp);
adapter!(dav, groupwire_dav);
