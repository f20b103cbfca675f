//! The vCards the CardDAV checks store: three people whose answers to every filter are known,
//! in vCard 3.0 (RFC 2426, which RFC 6352 requires) and 4.0 (RFC 6350).

/// A vCard 3.0 with `uid`, formatted name `fn_` and family name `family`.
pub fn card3(uid: &str, fn_: &str, family: &str) -> String {
    format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{fn_}\r\nN:{family};{fn_};;;\r\nEND:VCARD\r\n"
    )
}

/// A vCard 4.0.
pub fn card4(uid: &str, fn_: &str, family: &str) -> String {
    format!(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:{uid}\r\nFN:{fn_}\r\nN:{family};{fn_};;;\r\nEND:VCARD\r\n"
    )
}

/// Stems of the people set.
pub const ANNA: &str = "anna";
/// Bernd: a work phone, no email.
pub const BERND: &str = "bernd";
/// Carla: email only, a nickname.
pub const CARLA: &str = "carla";

/// Anna Schmidt: home phone, email at example.org, organisation Stadtwerke.
pub fn anna(uid: &str) -> String {
    format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:Anna Schmidt\r\nN:Schmidt;Anna;;;\r\nEMAIL;TYPE=INTERNET:anna@example.org\r\nTEL;TYPE=HOME:+49 30 1111\r\nORG:Stadtwerke\r\nEND:VCARD\r\n"
    )
}

/// Bernd Mueller: work phone, no email.
pub fn bernd(uid: &str) -> String {
    format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:Bernd Mueller\r\nN:Mueller;Bernd;;;\r\nTEL;TYPE=WORK:+49 30 2222\r\nORG:Rathaus\r\nEND:VCARD\r\n"
    )
}

/// Carla Schmidtke: email at example.net, nickname.
pub fn carla(uid: &str) -> String {
    format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:Carla Schmidtke\r\nN:Schmidtke;Carla;;;\r\nEMAIL;TYPE=INTERNET:carla@example.net\r\nNICKNAME:Carli\r\nEND:VCARD\r\n"
    )
}

/// The people set: (stem, vCard) for a UID prefix unique to the check.
pub fn people(prefix: &str) -> Vec<(&'static str, String)> {
    vec![
        (ANNA, anna(&format!("{prefix}-{ANNA}"))),
        (BERND, bernd(&format!("{prefix}-{BERND}"))),
        (CARLA, carla(&format!("{prefix}-{CARLA}"))),
    ]
}

/// A vCard 3.0 with a PHOTO of `size` octets of (base64) data, folded at 75 octets.
pub fn with_photo(uid: &str, size: usize) -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let data: String = (0..size)
        .map(|i| char::from(alphabet.get(i % 64).copied().unwrap_or(b'A')))
        .collect();
    let line = format!("PHOTO;ENCODING=b;TYPE=JPEG:{data}");
    let mut folded = String::with_capacity(line.len() + line.len() / 74 * 3 + 2);
    for (index, chunk) in line.as_bytes().chunks(74).enumerate() {
        if index > 0 {
            folded.push_str("\r\n ");
        }
        folded.push_str(&String::from_utf8_lossy(chunk));
    }
    format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:Photo Person\r\nN:Person;Photo;;;\r\n{folded}\r\nEND:VCARD\r\n"
    )
}

/// Not a vCard: no END, a line without a colon.
pub const INVALID: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nthis is not a content line\r\n";
