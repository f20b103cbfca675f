//! SMTP reply decoder, whole and byte by byte through the client role: both agree, and a
//! reply rebuilt from its parts decodes to the same parts. The EHLO decoder gives the same
//! reply, and offers what the lazy capability iterator types.
#![no_main]

use groupwire_smtp::{
    Capability, Decoded, Encode, ErrorKind, ExtensionSet, Limits, LineEndings, MechanismSet,
    Reply, ReplyDecoder, decode_ehlo, decode_reply,
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
        let ehlo = decode_ehlo(data, &limits);
        assert_eq!(
            ehlo.clone().map(|decoded| decoded.map(|ehlo| ehlo.into_reply())),
            whole
        );
        if let Ok(Decoded::Complete { value: ehlo, .. }) = ehlo {
            let typed: Vec<Capability<'_>> = ehlo
                .capabilities()
                .map(|capabilities| capabilities.iter().collect())
                .unwrap_or_default();
            let extensions: ExtensionSet = typed.iter().filter_map(Capability::extension).collect();
            assert_eq!(ehlo.extensions(), extensions);
            let size = typed.iter().find_map(|c| match c {
                Capability::Size(Some(size)) => Some(*size),
                _ => None,
            });
            assert_eq!(ehlo.size(), size);
            let deliver_by = typed.iter().find_map(|c| match c {
                Capability::DeliverBy(Some(time)) => Some(*time),
                _ => None,
            });
            assert_eq!(ehlo.deliver_by(), deliver_by);
            let mechanisms: MechanismSet = typed
                .iter()
                .filter_map(|c| match c {
                    Capability::Auth(list) => Some(list.iter()),
                    _ => None,
                })
                .flatten()
                .collect();
            assert_eq!(ehlo.mechanisms(), mechanisms);
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
