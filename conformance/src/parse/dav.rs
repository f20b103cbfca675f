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

/// The adapter for iCalendar streams: one message per top-level VCALENDAR.
pub fn ical() -> Option<Box<dyn StreamParser>> {
    Some(Box::new(calendar_data::CalendarData { vcard: false }))
}

/// The adapter for vCard streams: one message per VCARD.
pub fn vcard() -> Option<Box<dyn StreamParser>> {
    Some(Box::new(calendar_data::CalendarData { vcard: true }))
}

/// iCalendar and vCard streams, decoded leniently so that a whole file is read; the defects
/// accepted are listed with each message.
mod calendar_data {
    use groupwire_dav::ical::{DecodeOptions, decode_calendar};
    use groupwire_dav::vcard::decode_vcard;
    use groupwire_dav::{DecodeError, Decoded};
    use serde_json::json;

    use super::super::{Message, Step, StreamParser};

    pub(super) struct CalendarData {
        pub(super) vcard: bool,
    }

    /// The decoded value as JSON, and its re-encoding.
    type Outcome = Result<Decoded<(serde_json::Value, Vec<u8>)>, DecodeError>;

    impl CalendarData {
        fn decode(&self, input: &[u8]) -> Outcome {
            let options = DecodeOptions::lenient();
            if self.vcard {
                Ok(decode_vcard(input, &options)?.map(|p| {
                    let json = json!({"warnings": p.warnings, "vcard": p.value});
                    (json, p.value.to_bytes())
                }))
            } else {
                Ok(decode_calendar(input, &options)?.map(|p| {
                    let json = json!({"warnings": p.warnings, "component": p.value});
                    (json, p.value.to_bytes())
                }))
            }
        }

        /// The object's value without the warnings, for comparing a round trip.
        fn value_only(json: &serde_json::Value) -> &serde_json::Value {
            json.get("vcard")
                .or_else(|| json.get("component"))
                .unwrap_or(json)
        }
    }

    impl StreamParser for CalendarData {
        fn next_message(&mut self, input: &[u8], roundtrip: bool) -> Step {
            if input.iter().all(u8::is_ascii_whitespace) {
                return Step::Message(Message {
                    len: input.len(),
                    kind: "trailing-whitespace",
                    value: serde_json::Value::Null,
                });
            }
            let kind = if self.vcard { "vcard" } else { "vcalendar" };
            let mut decoded = self.decode(input);
            // A file whose last line lacks its line break is complete at end of input.
            if matches!(decoded, Ok(Decoded::Incomplete { .. })) && !input.ends_with(b"\n") {
                let mut terminated = input.to_vec();
                terminated.extend_from_slice(b"\r\n");
                if let Ok(Decoded::Complete { value, consumed }) = self.decode(&terminated) {
                    if consumed == terminated.len() {
                        decoded = Ok(Decoded::Complete {
                            value,
                            consumed: input.len(),
                        });
                    }
                }
            }
            match decoded {
                Err(e) => Step::Invalid {
                    reason: e.to_string(),
                    offset: e.offset(),
                },
                Ok(Decoded::Incomplete { .. }) => Step::Incomplete,
                Ok(Decoded::Complete {
                    value: (json, encoded),
                    consumed,
                }) => {
                    if roundtrip {
                        match self.decode(&encoded) {
                            Ok(Decoded::Complete {
                                value: (again, _), ..
                            }) if Self::value_only(&again) == Self::value_only(&json) => {}
                            _ => {
                                return Step::Invalid {
                                    reason: "round-trip mismatch".into(),
                                    offset: 0,
                                };
                            }
                        }
                    }
                    Step::Message(Message {
                        len: consumed,
                        kind,
                        value: json,
                    })
                }
            }
        }
    }
}
