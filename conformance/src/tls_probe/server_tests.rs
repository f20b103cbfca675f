//! The reference's ClientHello shim (`groupwire_reference::tls_wire::server`) checked against
//! the probe: a hello the probe builds decodes there, and the answers it encodes decode here.

use super::server::{
    ClientHelloError, decode_client_hello, encode_alert, encode_server_hello, first_record_length,
};
use super::{
    AlertDescription, ClientHelloBuilder, Decoded, ServerAnswer, TlsVersion, decode_first_flight,
};

#[test]
fn a_built_hello_decodes_with_its_version_and_suites() {
    for version in TlsVersion::ALL {
        let bytes = ClientHelloBuilder::new(version)
            .server_name("mail.example")
            .build();
        assert_eq!(first_record_length(&bytes), Some(bytes.len()));
        let hello = decode_client_hello(&bytes).unwrap();
        assert_eq!(hello.highest_version(), version.wire(), "{version}");
        assert_eq!(
            hello.cipher_suites,
            crate::tls_probe::default_cipher_suites(version)
        );
    }
}

#[test]
fn encoded_answers_decode_with_the_probe_decoder() {
    let hello = encode_server_hello(TlsVersion::Tls1_0.wire(), 0x002f);
    let Ok(Decoded::Complete {
        answer: ServerAnswer::ServerHello(decoded),
        consumed,
    }) = decode_first_flight(&hello)
    else {
        panic!("not a ServerHello");
    };
    assert_eq!(consumed, hello.len());
    assert_eq!(decoded.negotiated_version(), TlsVersion::Tls1_0.wire());
    assert_eq!(decoded.cipher_suite, 0x002f);
    let alert = encode_alert(
        TlsVersion::Tls1_2.wire(),
        AlertDescription::from_u8(70), // protocol_version
    );
    assert!(matches!(
        decode_first_flight(&alert),
        Ok(Decoded::Complete {
            answer: ServerAnswer::Alert { .. },
            ..
        })
    ));
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    assert_eq!(
        decode_client_hello(b"a STARTTLS\r\n"),
        Err(ClientHelloError::NotHandshake)
    );
    assert!(decode_client_hello(&[22, 3, 1, 0, 9, 1, 0, 0, 5, 3]).is_err());
    assert!(decode_client_hello(&[]).is_err());
}
