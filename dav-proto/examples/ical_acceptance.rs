//! Counts how many iCalendar (`.ics`) or vCard (`.vcf`) files in a directory decode, strictly
//! and leniently: a measure of acceptance on real-world files.
//!
//! ```text
//! cargo run -p groupwire-dav --example ical_acceptance -- DIR [-v] [--prefix]
//! ```
//!
//! A file is accepted when every object in it decodes (an iCalendar file may hold a
//! VCALENDAR or a standalone component such as a VEVENT) and nothing but white space
//! remains. Each file is decoded as a whole body ([`DecodeOptions::whole_body`]), or with
//! `--prefix` as a prefix of a stream that may still grow (how every file was decoded before
//! whole-body decoding existed). `-v` prints each rejected file with the error.

use std::path::Path;

use groupwire_dav::Decoded;
use groupwire_dav::ical::{DecodeOptions, decode_component};
use groupwire_dav::vcard::decode_vcard;

fn accepts(bytes: &[u8], vcard: bool, options: &DecodeOptions) -> Result<(), String> {
    let mut rest = bytes;
    let mut objects = 0;
    while !rest.iter().all(u8::is_ascii_whitespace) || objects == 0 {
        let decoded = if vcard {
            decode_vcard(rest, options).map(|d| d.map(|_| ()))
        } else {
            decode_component(rest, options).map(|d| d.map(|_| ()))
        };
        match decoded {
            Ok(Decoded::Complete { consumed, .. }) if consumed > 0 => {
                rest = rest.get(consumed..).unwrap_or_default();
                objects += 1;
            }
            Ok(_) => return Err("incomplete".into()),
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: ical_acceptance DIR [-v]");
        std::process::exit(2);
    };
    let flags: Vec<String> = args.collect();
    let verbose = flags.iter().any(|f| f == "-v");
    let whole = |options: DecodeOptions| {
        if flags.iter().any(|f| f == "--prefix") {
            options
        } else {
            options.whole_body()
        }
    };
    let mut files: Vec<_> = std::fs::read_dir(Path::new(&dir))
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("ics" | "vcf")));
    files.sort();
    let (mut strict, mut lenient) = (0, 0);
    for path in &files {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let vcard = path.extension().is_some_and(|e| e == "vcf");
        if accepts(&bytes, vcard, &whole(DecodeOptions::strict())).is_ok() {
            strict += 1;
        }
        match accepts(&bytes, vcard, &whole(DecodeOptions::lenient())) {
            Ok(()) => lenient += 1,
            Err(e) if verbose => println!("{}: {e}", path.display()),
            Err(_) => {}
        }
    }
    println!(
        "{} files: strict accepts {strict}, lenient accepts {lenient}",
        files.len()
    );
}
