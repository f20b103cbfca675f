#!/usr/bin/env python3
"""Generates the iCalendar and vCard bench corpora, deterministically (fixed seed):

- calendar-5mib.ics: one VCALENDAR of ~5 MiB: three VTIMEZONEs, events with TZID start/end,
  a third recurring (RRULE with EXDATE and an override), attendees, alarms, escaped and folded
  descriptions, as Thunderbird/Google/Apple/Outlook write them.
- contacts-2mib.vcf: ~2 MiB of vCards, 3.0 and 4.0 mixed, with groups, structured N/ADR,
  typed TEL/EMAIL and a small inline photo.
"""
import pathlib
import random

random.seed(20261122)
here = pathlib.Path(__file__).parent


def fold(line):
    out, cur = [], b""
    for ch in line:
        b = ch.encode()
        if len(cur) + len(b) > 75:
            out.append(cur)
            cur = b" "
        cur += b
    out.append(cur)
    return b"\r\n".join(out) + b"\r\n"


TZ = {
    "Europe/Berlin": ("+0100", "+0200", "-1SU", 3, "-1SU", 10, "CET", "CEST"),
    "America/New_York": ("-0500", "-0400", "2SU", 3, "1SU", 11, "EST", "EDT"),
    "Australia/Sydney": ("+1000", "+1100", "1SU", 10, "1SU", 4, "AEST", "AEDT"),
}
WORDS = "planning review sync budget roadmap design retro demo hiring offsite launch Zürich Grüße café".split()
NAMES = ["Anna Schmidt", "Bernd Müller", "Chloé Martin", "Dana Lee", "Erik Olsen", "Frida Eriksson", "Gao Wei", "Hana Sato"]


def calendar(target):
    lines = ["BEGIN:VCALENDAR", "PRODID:-//groupwire//bench corpus//EN", "VERSION:2.0", "CALSCALE:GREGORIAN"]
    for tzid, (std, dst, dst_day, dst_month, std_day, std_month, std_name, dst_name) in TZ.items():
        lines += ["BEGIN:VTIMEZONE", f"TZID:{tzid}",
                  "BEGIN:DAYLIGHT", f"TZOFFSETFROM:{std}", f"TZOFFSETTO:{dst}", f"TZNAME:{dst_name}",
                  "DTSTART:19700329T020000", f"RRULE:FREQ=YEARLY;BYMONTH={dst_month};BYDAY={dst_day}", "END:DAYLIGHT",
                  "BEGIN:STANDARD", f"TZOFFSETFROM:{dst}", f"TZOFFSETTO:{std}", f"TZNAME:{std_name}",
                  "DTSTART:19701025T030000", f"RRULE:FREQ=YEARLY;BYMONTH={std_month};BYDAY={std_day}", "END:STANDARD",
                  "END:VTIMEZONE"]
    body = b"".join(fold(l) for l in lines)
    n = 0
    while len(body) < target:
        n += 1
        tzid = random.choice(list(TZ))
        day = random.randint(1, 28)
        month = random.randint(1, 12)
        hour = random.randint(7, 18)
        uid = f"{n:08x}-bench@groupwire.example"
        summary = " ".join(random.choice(WORDS) for _ in range(3)).capitalize()
        desc = "\\n".join(" ".join(random.choice(WORDS) for _ in range(12)) for _ in range(3)) + "\\, see notes\\; thanks"
        ev = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20240301T120000Z", f"CREATED:20240101T0{hour % 10}0000Z",
              f"DTSTART;TZID={tzid}:2024{month:02}{day:02}T{hour:02}0000",
              f"DTEND;TZID={tzid}:2024{month:02}{day:02}T{hour:02}4500",
              f"SUMMARY:{summary}", f"DESCRIPTION:{desc}", f"LOCATION:Room {random.randint(1, 500)}",
              f"ORGANIZER;CN={random.choice(NAMES)}:mailto:org{n % 50}@example.org"]
        for a in range(random.randint(1, 4)):
            ev.append(f"ATTENDEE;CN={random.choice(NAMES)};PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:p{a}@example.org")
        recurring = n % 3 == 0
        if recurring:
            ev.append(random.choice(["RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR", "RRULE:FREQ=DAILY;COUNT=30",
                                     "RRULE:FREQ=MONTHLY;BYDAY=1TH;UNTIL=20251231T235959Z", "RRULE:FREQ=YEARLY"]))
            ev.append(f"EXDATE;TZID={tzid}:2024{month:02}{day:02}T{hour:02}0000")
        ev += ["BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT15M", "DESCRIPTION:Reminder", "END:VALARM", "END:VEVENT"]
        if recurring:
            ev += ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20240301T120000Z",
                   f"RECURRENCE-ID;TZID={tzid}:2024{month:02}{day:02}T{hour:02}0000",
                   f"DTSTART;TZID={tzid}:2024{month:02}{day:02}T{(hour + 1) % 24:02}0000",
                   f"DTEND;TZID={tzid}:2024{month:02}{day:02}T{(hour + 1) % 24:02}3000",
                   f"SUMMARY:{summary} (moved)", "END:VEVENT"]
        body += b"".join(fold(l) for l in ev)
    body += fold("END:VCALENDAR")
    return body, n


def contacts(target):
    body = b""
    n = 0
    photo = "".join(random.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") for _ in range(300))
    while len(body) < target:
        n += 1
        given, family = random.choice(NAMES).split(" ")
        v4 = n % 2 == 0
        lines = ["BEGIN:VCARD", "VERSION:4.0" if v4 else "VERSION:3.0", f"UID:urn:uuid:{n:08x}-0000-4000-8000-000000000000",
                 f"FN:{given} {family}", f"N:{family};{given};;;", f"ORG:Example {n % 97}\\, Inc.;Sales",
                 f"EMAIL;TYPE=work:{given.lower()}.{n}@example.com",
                 f"item1.TEL;TYPE=cell:+1 555 {n % 10000:04}", "item1.X-ABLabel:mobile",
                 f"ADR;TYPE=home:;;{random.randint(1, 999)} Main St;Springfield;IL;{random.randint(10000, 99999)};USA",
                 f"NOTE:Met at {random.choice(WORDS)}\\nFollow up in {random.choice(WORDS)}",
                 "BDAY:19850412" if v4 else "BDAY:1985-04-12"]
        if n % 5 == 0:
            lines.append(f"PHOTO:data:image/jpeg;base64,{photo}" if v4 else f"PHOTO;ENCODING=b;TYPE=JPEG:{photo}")
        lines.append("END:VCARD")
        body += b"".join(fold(l) for l in lines)
    return body, n


cal, events = calendar(5 * 1024 * 1024)
(here / "calendar-5mib.ics").write_bytes(cal)
cards, count = contacts(2 * 1024 * 1024)
(here / "contacts-2mib.vcf").write_bytes(cards)
print(f"calendar-5mib.ics: {len(cal)} bytes, {events} events; contacts-2mib.vcf: {len(cards)} bytes, {count} cards")
