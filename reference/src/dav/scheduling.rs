//! CalDAV scheduling (RFC 6638), the part a client sees: each user's scheduling Inbox and
//! Outbox (§2.1, §2.2), `Schedule-Tag` on scheduling object resources (§3.2.10), and implicit
//! scheduling of an organizer's PUT: the request is delivered to every local attendee's Inbox
//! and default calendar (§4.1). Replies, cancellations and free-busy through the Outbox are
//! not implemented: no check depends on them.

use groupwire_dav::ical::Component;

use super::principals::{DEFAULT, calendar_home, owner_of};
use super::store::{Content, Node, Tree};
use super::{Ctx, caldav};
use crate::faults::Fault;

/// The scheduling collections under a calendar home.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mailbox {
    /// The scheduling Inbox.
    Inbox,
    /// The scheduling Outbox.
    Outbox,
}

impl Mailbox {
    fn segment(self) -> &'static str {
        match self {
            Mailbox::Inbox => "inbox",
            Mailbox::Outbox => "outbox",
        }
    }

    /// The path of `user`'s box.
    pub fn path(self, user: &str) -> String {
        format!("{}/{}", calendar_home(user), self.segment())
    }

    /// Which box `path` is, if it is one.
    pub fn of(path: &str) -> Option<Mailbox> {
        let path = path.trim_end_matches('/');
        let (area, user, below) = owner_of(path)?;
        if area != "calendars" || below != 1 {
            return None;
        }
        [Mailbox::Inbox, Mailbox::Outbox]
            .into_iter()
            .find(|b| path == b.path(user))
    }
}

/// Creates `user`'s Inbox and Outbox (the server's job: clients cannot create them).
pub fn provision(tree: &mut Tree, user: &str) {
    for mailbox in [Mailbox::Inbox, Mailbox::Outbox] {
        tree.put(
            &mailbox.path(user),
            Content::Collection(super::store::CollectionKind::Plain),
        );
    }
}

/// The calendar user address of `user`.
pub fn address_of(user: &str) -> String {
    format!("mailto:{user}@{}", crate::DOMAIN)
}

/// The local user a calendar user address names, if any.
fn local_user(address: &str) -> Option<&str> {
    let rest = address
        .get(..7)
        .filter(|s| s.eq_ignore_ascii_case("mailto:"))
        .and(address.get(7..))?;
    let (user, domain) = rest.split_once('@')?;
    domain.eq_ignore_ascii_case(crate::DOMAIN).then_some(user)
}

/// The ORGANIZER and ATTENDEE values of a calendar object.
fn parties(calendar: &Component<'_>) -> (Option<String>, Vec<String>) {
    let mut organizer = None;
    let mut attendees = Vec::new();
    for component in &calendar.components {
        for property in &component.properties {
            if property.is("ORGANIZER") && organizer.is_none() {
                organizer = Some(property.value.to_string());
            } else if property.is("ATTENDEE") {
                attendees.push(property.value.to_string());
            }
        }
    }
    (organizer, attendees)
}

/// Whether `node` is a scheduling object resource (a calendar object with an ORGANIZER).
pub fn is_scheduling_object(ctx: &Ctx, node: &Node) -> bool {
    match &node.content {
        Content::Resource { body, uid, .. } if uid.is_some() => {
            caldav::parse_calendar(body, &ctx.limits).is_some_and(|c| parties(&c).0.is_some())
        }
        _ => false,
    }
}

/// The `Schedule-Tag` of a scheduling object resource: its ETag, since only its organizer
/// changes it here (no attendee reply ever makes an inconsequential change).
pub fn schedule_tag(ctx: &Ctx, node: &Node) -> Option<String> {
    (!ctx.fault(Fault::CaldavNoScheduleTag) && is_scheduling_object(ctx, node)).then(|| node.etag())
}

/// After the organizer stored `body` at `path`: delivers the request to each local attendee
/// (RFC 6638 §4.1: a new scheduling object resource in the attendee's default calendar, and
/// the iTIP message in the attendee's Inbox).
pub fn deliver(ctx: &Ctx, tree: &mut Tree, body: &[u8]) {
    if ctx.fault(Fault::CaldavScheduleNotDelivered) {
        return;
    }
    let Some(calendar) = caldav::parse_calendar(body, &ctx.limits) else {
        return;
    };
    let (Some(organizer), attendees) = parties(&calendar) else {
        return;
    };
    if local_user(&organizer) != Some(ctx.user.as_str()) {
        return;
    }
    let Some(uid) = calendar
        .components
        .iter()
        .find_map(|c| c.property("UID").map(|p| p.value.to_string()))
    else {
        return;
    };
    let name: String = uid
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let request = with_method(body, "REQUEST");
    for attendee in attendees {
        let Some(user) = local_user(&attendee) else {
            continue;
        };
        if user == ctx.user || !tree.exists(&calendar_home(user)) {
            continue;
        }
        let resource = |body: Vec<u8>| Content::Resource {
            body,
            content_type: "text/calendar; charset=utf-8".into(),
            uid: Some(uid.clone()),
        };
        let calendar_path = format!("{}/{DEFAULT}/{name}.ics", calendar_home(user));
        if tree.exists(&format!("{}/{DEFAULT}", calendar_home(user)))
            && caldav::uid_conflict(tree, &calendar_path, Some(&uid)).is_none()
        {
            tree.put(&calendar_path, resource(body.to_vec()));
        }
        tree.put(
            &format!("{}/{name}.ics", Mailbox::Inbox.path(user)),
            resource(request.clone()),
        );
    }
}

/// `body` with `METHOD:<method>` after its `BEGIN:VCALENDAR` line (an iTIP message, RFC 5546
/// §1.4, is the stored object plus its method).
fn with_method(body: &[u8], method: &str) -> Vec<u8> {
    let begin = b"BEGIN:VCALENDAR";
    let Some(at) = body
        .windows(begin.len())
        .position(|w| w.eq_ignore_ascii_case(begin))
    else {
        return body.to_vec();
    };
    let line_end = body[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(body.len(), |i| at + i + 1);
    let mut out = Vec::with_capacity(body.len() + 20);
    out.extend_from_slice(&body[..line_end]);
    out.extend_from_slice(format!("METHOD:{method}\r\n").as_bytes());
    out.extend_from_slice(&body[line_end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_and_addresses() {
        assert_eq!(
            Mailbox::of("/dav/calendars/bob/inbox"),
            Some(Mailbox::Inbox)
        );
        assert_eq!(
            Mailbox::of("/dav/calendars/bob/outbox/"),
            Some(Mailbox::Outbox)
        );
        assert_eq!(Mailbox::of("/dav/calendars/bob/default"), None);
        assert_eq!(Mailbox::of("/dav/calendars/bob/inbox/x.ics"), None);
        assert_eq!(local_user(&address_of("bob")), Some("bob"));
        assert_eq!(local_user("MAILTO:bob@elsewhere.test"), None);
        assert_eq!(local_user("urn:uuid:1"), None);
    }

    #[test]
    fn method_goes_after_begin() {
        let body = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n";
        assert_eq!(
            with_method(body, "REQUEST"),
            b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
        );
    }
}
