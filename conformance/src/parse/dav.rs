//! `groupwire parse dav-request`, `dav-response`, `ical` and `vcard`, on `groupwire-dav`.

use super::StreamParser;

/// The adapter for one DAV XML request body (the whole input is the body).
pub fn request() -> Box<dyn StreamParser> {
    Box::new(xml_body::XmlBody { response: false })
}

/// The adapter for one DAV XML response body (the whole input is the body).
pub fn response() -> Box<dyn StreamParser> {
    Box::new(xml_body::XmlBody { response: true })
}

/// One XML request or response body, decoded by `DavRequest` / `DavResponse`.
mod xml_body {
    use groupwire_dav::{DavRequest, DavResponse, DecodeError, Decoded, Limits};

    use super::super::{Message, Step, StreamParser};

    pub(super) struct XmlBody {
        pub(super) response: bool,
    }

    /// Decodes one body to (kind, JSON, re-encoding), and says whether the re-encoding
    /// decodes to the same value.
    type Outcome = Result<Decoded<(&'static str, serde_json::Value, bool)>, DecodeError>;

    fn request(input: &[u8]) -> Outcome {
        let limits = Limits::default();
        Ok(DavRequest::decode(input, &limits)?.map(|v| {
            let again = v.to_vec();
            let same = matches!(
                DavRequest::decode(&again, &limits),
                Ok(Decoded::Complete { value, .. }) if value == v
            );
            let json = serde_json::to_value(&v).unwrap_or(serde_json::Value::Null);
            (v.kind(), json, same)
        }))
    }

    fn response(input: &[u8]) -> Outcome {
        let limits = Limits::default();
        Ok(DavResponse::decode(input, &limits)?.map(|v| {
            let again = v.to_vec();
            let same = matches!(
                DavResponse::decode(&again, &limits),
                Ok(Decoded::Complete { value, .. }) if value == v
            );
            let json = serde_json::to_value(&v).unwrap_or(serde_json::Value::Null);
            (v.kind(), json, same)
        }))
    }

    impl StreamParser for XmlBody {
        fn next_message(&mut self, input: &[u8], roundtrip: bool) -> Step {
            let decoded = if self.response {
                response(input)
            } else {
                request(input)
            };
            match decoded {
                Err(e) => Step::Invalid {
                    reason: e.to_string(),
                    offset: e.offset(),
                },
                Ok(Decoded::Incomplete { .. }) => Step::Incomplete,
                Ok(Decoded::Complete {
                    value: (kind, value, same),
                    consumed,
                }) => {
                    if roundtrip && !same {
                        return Step::Invalid {
                            reason: "round-trip mismatch".into(),
                            offset: 0,
                        };
                    }
                    Step::Message(Message {
                        len: consumed,
                        kind,
                        value,
                    })
                }
            }
        }

        fn single_message(&self) -> bool {
            true
        }
    }
}

/// The adapter for iCalendar streams: one message per top-level VCALENDAR, or per
/// standalone component (a VEVENT or VTODO on its own).
pub fn ical() -> Box<dyn StreamParser> {
    Box::new(calendar_data::CalendarData { vcard: false })
}

/// The adapter for vCard streams: one message per VCARD.
pub fn vcard() -> Box<dyn StreamParser> {
    Box::new(calendar_data::CalendarData { vcard: true })
}

/// iCalendar and vCard streams, decoded leniently so that a whole file is read; the defects
/// accepted are listed with each message.
mod calendar_data {
    use groupwire_dav::ical::{DecodeOptions, decode_calendar, decode_component};
    use groupwire_dav::vcard::decode_vcard;
    use groupwire_dav::{DecodeError, Decoded, ErrorKind, Expected};
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
                let decoded = match decode_calendar(input, &options) {
                    // A standalone component (a file that is only a VEVENT or a VTODO).
                    Err(e) if e.kind() == ErrorKind::Expected(Expected::Begin) => {
                        decode_component(input, &options).map_err(|_| e)?
                    }
                    other => other?,
                };
                Ok(decoded.map(|p| {
                    let json = json!({"warnings": p.warnings, "component": p.value});
                    (json, p.value.to_bytes())
                }))
            }
        }

        /// `vcalendar`, `vcard`, or `component` for a standalone component.
        fn kind(&self, json: &serde_json::Value) -> &'static str {
            match json["component"]["name"].as_str() {
                _ if self.vcard => "vcard",
                Some(name) if !name.eq_ignore_ascii_case("VCALENDAR") => "component",
                _ => "vcalendar",
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
            let mut decoded = self.decode(input);
            // A file whose last line lacks its line break is complete at end of input.
            if matches!(decoded, Ok(Decoded::Incomplete { .. })) && !input.ends_with(b"\n") {
                let mut terminated = input.to_vec();
                terminated.extend_from_slice(b"\r\n");
                if let Ok(Decoded::Complete { value, consumed }) = self.decode(&terminated)
                    && consumed == terminated.len()
                {
                    decoded = Ok(Decoded::Complete {
                        value,
                        consumed: input.len(),
                    });
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
                        kind: self.kind(&json),
                        value: json,
                    })
                }
            }
        }
    }
}
