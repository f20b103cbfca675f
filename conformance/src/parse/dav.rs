//! `groupwire parse dav-request`, `dav-response`, `ical` and `vcard`, on `groupwire-dav`.

use super::StreamParser;

/// The adapter for one DAV XML request body; `None` until the DAV codec lands.
pub fn request() -> Option<Box<dyn StreamParser>> {
    None
}

/// The adapter for one DAV XML response body; `None` until the DAV codec lands.
pub fn response() -> Option<Box<dyn StreamParser>> {
    None
}

/// The adapter for iCalendar streams; `None` until the iCalendar codec lands.
pub fn ical() -> Option<Box<dyn StreamParser>> {
    None
}

/// The adapter for vCard streams; `None` until the vCard codec lands.
pub fn vcard() -> Option<Box<dyn StreamParser>> {
    None
}
