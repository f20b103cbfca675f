//! SMTP reply decoder, whole and byte by byte through the client role: both agree, and a
//! reply rebuilt from its parts decodes to the same parts.
#![no_main]

use groupwire_smtp::{
    Decoded, Encode, ErrorKind, Limits, LineEndings, Reply, ReplyDecoder, decode_reply,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for endings in [LineEndings::Strict, LineEndings::Lenient] {
        let limits = Limits::default().with_line_endings(endings);
        let whole = decode_reply(data, &limits);
        // Feeding a growing prefix to the stateful decoder gives the same outcome.
        let mut decoder = ReplyDecoder::new(limits);
        let mut streamed = None;
        for end in 0..=data.len() {
            match decoder.decode(&data[..end]) {
                Ok(Decoded::Incomplete { .. }) if end < data.len() => {}
                other => {
                    streamed = Some(other);
                    break;
                }
            }
        }
        if let (Ok(Decoded::Complete { .. }), Some(streamed)) = (&whole, &streamed) {
            assert_eq!(streamed, &whole);
        }
        let Ok(Decoded::Complete { value, consumed }) = whole else {
            continue;
        };
        assert!(consumed <= data.len());
        assert_eq!(value.to_vec(), &data[..consumed]);
        if endings == LineEndings::Strict {
            let lines: Vec<&[u8]> = value.lines().collect();
            match Reply::new(value.code(), value.enhanced_code(), &lines) {
                Ok(rebuilt) => {
                    assert_eq!(rebuilt.code(), value.code());
                    assert_eq!(rebuilt.enhanced_code(), value.enhanced_code());
                    assert_eq!(rebuilt.lines().collect::<Vec<_>>(), lines);
                }
                // Writing the enhanced code on every line can make one too long.
                Err(error) => assert!(
                    matches!(error.kind(), ErrorKind::LimitExceeded(_)),
                    "{error:?}"
                ),
            }
            if let Some(capabilities) = value.capabilities() {
                for capability in capabilities.iter() {
                    let _ = capability.to_text();
                }
            }
        }
    }
});
