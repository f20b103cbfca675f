//! The `If` header and the other DAV headers: parse, and whatever parses must format back to
//! the same text after a second parse.
#![no_main]

use groupwire_dav::headers::{
    DavCompliance, IfHeader, IfScheduleTagMatch, LockToken, Preferences, Timeout, TypedHeader,
};
use libfuzzer_sys::fuzz_target;

macro_rules! round_trip {
    ($ty:ty, $data:expr) => {
        if let Ok(value) = <$ty>::parse($data) {
            let text = value.to_value_string();
            let again = <$ty>::parse(text.as_bytes()).map(|v| v.to_value_string());
            assert_eq!(again.as_deref(), Ok(text.as_str()), "round trip");
        }
    };
}

fuzz_target!(|data: &[u8]| {
    round_trip!(IfHeader<'_>, data);
    round_trip!(Timeout, data);
    round_trip!(Preferences<'_>, data);
    round_trip!(DavCompliance<'_>, data);
    round_trip!(IfScheduleTagMatch<'_>, data);
    round_trip!(LockToken<'_>, data);
});
