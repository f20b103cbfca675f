#!/usr/bin/env python3
"""Writes dav-multistatus.xml: a CalDAV REPORT answer with 1,000 responses, each with an
ETag and a calendar-data VEVENT (literal CR LF line ends, as Radicale sends them; every
tenth one has entity references).
Deterministic: the same bytes on every run. Usage: python3 gen_dav_multistatus.py"""

import os

HERE = os.path.dirname(os.path.abspath(__file__))


def event(i):
    day = 1 + i % 28
    month = 1 + (i // 28) % 12
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//groupwire//bench//EN",
        "BEGIN:VEVENT",
        f"UID:event-{i:04d}@bench.groupwire.test",
        "DTSTAMP:20260101T090000Z",
        f"DTSTART:2026{month:02d}{day:02d}T{8 + i % 9:02d}0000Z",
        f"DTEND:2026{month:02d}{day:02d}T{9 + i % 9:02d}0000Z",
        # Every tenth summary needs XML escaping, as some do in real calendars.
        f"SUMMARY:Meeting {i}" + (" with R&amp;D &lt;team&gt;" if i % 10 == 0 else ""),
        "DESCRIPTION:Agenda: review the quarterly numbers\\, plan the next release\\, "
        "and discuss open issues.",
        f"LOCATION:Room {100 + i % 50}",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
    return "\r\n".join(lines)


def main():
    out = ['<?xml version="1.0" encoding="utf-8"?>\n',
           '<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">\n']
    for i in range(1000):
        out.append(
            "<D:response>"
            f"<D:href>/calendars/alice/work/event-{i:04d}.ics</D:href>"
            "<D:propstat><D:prop>"
            f"<D:getetag>\"{i:08x}-{(i * 2654435761) % 2**32:08x}\"</D:getetag>"
            f"<C:calendar-data>{event(i)}</C:calendar-data>"
            "</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>"
            "</D:response>\n")
    out.append("<D:sync-token>http://example.com/ns/sync/1000</D:sync-token>\n")
    out.append("</D:multistatus>\n")
    with open(os.path.join(HERE, "dav-multistatus.xml"), "w", newline="") as f:
        f.write("".join(out))


if __name__ == "__main__":
    main()
