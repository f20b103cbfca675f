//! The calendar objects the CalDAV checks store: one set whose answers to every time range
//! are known (a single event, a weekly series with an EXDATE and a moved instance, an
//! all-day event, a floating-time event, an event in Europe/Berlin, a task).
//!
//! Dates are in 2027, January to July, so no instance depends on "now".

/// Names (resource stems) of the standard set, as stored by [`standard_set`].
pub const SINGLE: &str = "single";
/// The weekly series: Mondays 09:00–09:30Z from 2027-01-04, COUNT=6, 2027-01-18 excluded,
/// 2027-01-25 moved to 2027-01-26 15:00–16:00Z.
pub const WEEKLY: &str = "weekly";
/// All day on 2027-02-10.
pub const ALL_DAY: &str = "allday";
/// 2027-03-01 12:00–13:00, floating.
pub const FLOATING: &str = "floating";
/// 2027-07-05 10:00–11:00 Europe/Berlin (08:00–09:00Z, summer time).
pub const BERLIN: &str = "berlin";
/// A task due 2027-01-10 17:00Z.
pub const TASK: &str = "task";

fn wrap(body: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//groupwire//conformance//EN\r\n{body}END:VCALENDAR\r\n"
    )
}

/// A one-hour event at `start` (UTC basic form) with `uid` and `summary`.
pub fn event(uid: &str, start: &str, end: &str, summary: &str) -> String {
    wrap(&format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:{start}\r\nDTEND:{end}\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\n"
    ))
}

/// The single event, with a LOCATION (the others have none).
pub fn single(uid: &str) -> String {
    wrap(&format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20270104T100000Z\r\nDTEND:20270104T110000Z\r\nSUMMARY:Budget meeting\r\nLOCATION:Room 1\r\nEND:VEVENT\r\n"
    ))
}

/// The weekly series with its EXDATE and its moved instance.
pub fn weekly(uid: &str) -> String {
    wrap(&format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20270104T090000Z\r\nDTEND:20270104T093000Z\r\nRRULE:FREQ=WEEKLY;COUNT=6\r\nEXDATE:20270118T090000Z\r\nSUMMARY:Weekly standup\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261201T000000Z\r\nRECURRENCE-ID:20270125T090000Z\r\nDTSTART:20270126T150000Z\r\nDTEND:20270126T160000Z\r\nSUMMARY:Weekly standup (moved)\r\nEND:VEVENT\r\n"
    ))
}

/// The all-day event.
pub fn all_day(uid: &str) -> String {
    wrap(&format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261201T000000Z\r\nDTSTART;VALUE=DATE:20270210\r\nDTEND;VALUE=DATE:20270211\r\nSUMMARY:Holiday\r\nEND:VEVENT\r\n"
    ))
}

/// The floating-time event.
pub fn floating(uid: &str) -> String {
    wrap(&format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20270301T120000\r\nDTEND:20270301T130000\r\nSUMMARY:Lunch\r\nEND:VEVENT\r\n"
    ))
}

/// The VTIMEZONE of Europe/Berlin (EU rules since 1996).
pub const BERLIN_TZ: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n\
BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n\
BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n\
END:VTIMEZONE\r\n";

/// The event in Europe/Berlin.
pub fn berlin(uid: &str) -> String {
    wrap(&format!(
        "{BERLIN_TZ}BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261201T000000Z\r\nDTSTART;TZID=Europe/Berlin:20270705T100000\r\nDTEND;TZID=Europe/Berlin:20270705T110000\r\nSUMMARY:Berlin call\r\nEND:VEVENT\r\n"
    ))
}

/// The task.
pub fn task(uid: &str) -> String {
    wrap(&format!(
        "BEGIN:VTODO\r\nUID:{uid}\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20270110T090000Z\r\nDUE:20270110T170000Z\r\nSUMMARY:File report\r\nSTATUS:NEEDS-ACTION\r\nEND:VTODO\r\n"
    ))
}

/// A time zone five hours east of UTC without daylight saving, as a VCALENDAR for
/// `CALDAV:timezone`: floating 12:00 there is 07:00Z.
pub const PLUS_FIVE: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//groupwire//conformance//EN\r\n\
BEGIN:VTIMEZONE\r\nTZID:Test/Plus-Five\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0500\r\nTZOFFSETTO:+0500\r\nTZNAME:PLUS5\r\nDTSTART:19700101T000000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n\
END:VCALENDAR\r\n";

/// Two events with different UIDs in one object (forbidden by RFC 4791 §4.1).
pub fn two_uids(uid: &str) -> String {
    wrap(&format!(
        "BEGIN:VEVENT\r\nUID:{uid}-a\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20270104T100000Z\r\nDTEND:20270104T110000Z\r\nSUMMARY:A\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:{uid}-b\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20270105T100000Z\r\nDTEND:20270105T110000Z\r\nSUMMARY:B\r\nEND:VEVENT\r\n"
    ))
}

/// Not iCalendar: a component that never ends and a line without a colon.
pub const INVALID: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//groupwire//EN\r\nBEGIN:VEVENT\r\nthis is not a content line\r\n";

/// The standard set: (name, object) for a UID prefix unique to the check.
pub fn standard_set(prefix: &str) -> Vec<(&'static str, String)> {
    vec![
        (SINGLE, single(&format!("{prefix}-{SINGLE}"))),
        (WEEKLY, weekly(&format!("{prefix}-{WEEKLY}"))),
        (ALL_DAY, all_day(&format!("{prefix}-{ALL_DAY}"))),
        (FLOATING, floating(&format!("{prefix}-{FLOATING}"))),
        (BERLIN, berlin(&format!("{prefix}-{BERLIN}"))),
        (TASK, task(&format!("{prefix}-{TASK}"))),
    ]
}
