//! Every public module of the crate glob-imported together: no two define the same name, so
//! each public name resolves (an ambiguous one fails to compile here).

#![allow(unused_imports)]
#![deny(ambiguous_glob_imports)]

use groupwire_smtp::address::*;
use groupwire_smtp::auth::*;
use groupwire_smtp::capability::*;
use groupwire_smtp::client::*;
use groupwire_smtp::codec::*;
use groupwire_smtp::command::*;
use groupwire_smtp::data::*;
use groupwire_smtp::ehlo::*;
use groupwire_smtp::limits::*;
use groupwire_smtp::parameters::*;
use groupwire_smtp::reply::*;
use groupwire_smtp::server::*;
use groupwire_smtp::*;

mod every_public_name {
    use super::{
        AddressLiteral, AuthResponse, Body, ByMode, Capabilities, Capability, ClientCodec,
        ClientItem, CodecError, Command, DataDecoder, DataEvent, DecodeError, Decoded, Domain,
        DotStuffer, Ehlo, Encode, EnhancedCode, ErrorKind, Expected, Extension, ExtensionSet,
        Limit, Limits, LineEndings, Mailbox, Mechanism, MechanismList, MechanismSet, Notify,
        Parameter, Parameters, Path, Reply, ReplyCode, ReplyDecoder, Ret, ReversePath, RrvsAction,
        SaslPayload, ServerCodec, ServerDecoder, ServerEvent, ServerState, Xtext, base64_decode,
        base64_encode, cram_md5_response, decode_auth_response, decode_command, decode_data_to_vec,
        decode_ehlo, decode_reply, encode_data, oauthbearer_message, parse_command_line,
        parse_cram_md5_response, parse_plain_message, plain_message, xoauth2_message,
    };
}

#[test]
fn names_resolve_to_the_crate_root_items() {
    let limits = Limits::default();
    let (command, _) = decode_command(b"NOOP\r\n", &limits)
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(command, Command::Noop { argument: None });
    assert!(ServerDecoder::new(limits).state() == ServerState::Commands);
}
