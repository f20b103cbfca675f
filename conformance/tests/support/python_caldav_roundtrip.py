"""Functional round trip of the python `caldav` library (Debian python3-caldav) against a
CalDAV server: discover the principal, create a calendar, create events, query them by
time range (single, recurring with EXDATE, outside any event), sync by token, delete.

Usage: python3 python_caldav_roundtrip.py URL USER PASSWORD CAFILE
Prints one line per step and exits non-zero on the first failure.
"""
import sys
from datetime import datetime, timezone

import caldav

url, user, password, cafile = sys.argv[1:5]
UTC = timezone.utc

SINGLE = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//groupwire//python caldav round trip//EN
BEGIN:VEVENT
UID:python-roundtrip-single
DTSTAMP:20260101T000000Z
DTSTART:20260301T100000Z
DTEND:20260301T110000Z
SUMMARY:Single meeting
END:VEVENT
END:VCALENDAR
"""

WEEKLY = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//groupwire//python caldav round trip//EN
BEGIN:VEVENT
UID:python-roundtrip-weekly
DTSTAMP:20260101T000000Z
DTSTART:20260302T090000Z
DTEND:20260302T093000Z
RRULE:FREQ=WEEKLY;COUNT=4
EXDATE:20260309T090000Z
SUMMARY:Weekly stand-up
END:VEVENT
END:VCALENDAR
"""


def step(text):
    print(f"python-caldav: {text}", flush=True)


def check(condition, text):
    if not condition:
        print(f"python-caldav: FAILED: {text}", flush=True)
        sys.exit(1)


def day(y, m, d, h=0):
    return datetime(y, m, d, h, tzinfo=UTC)


client = caldav.DAVClient(url=url, username=user, password=password, ssl_verify_cert=cafile)
principal = client.principal()
step(f"principal {principal.url}")
home = principal.calendar_home_set
step(f"calendar home {home.url}")
calendar = principal.make_calendar(name="groupwire round trip", cal_id="python-roundtrip")
step(f"created calendar {calendar.url}")
urls = [str(c.url).rstrip("/") for c in principal.calendars()]
check(str(calendar.url).rstrip("/") in urls, f"new calendar not listed: {urls}")
step(f"calendars listed: {len(urls)}")

calendar.save_event(SINGLE)
calendar.save_event(WEEKLY)
check(len(calendar.events()) == 2, "expected 2 events in the calendar")
step("created 2 events")

found = calendar.date_search(start=day(2026, 3, 1), end=day(2026, 3, 2), expand=False)
check(len(found) == 1 and "python-roundtrip-single" in found[0].data,
      f"single event by time range: {[f.data for f in found]}")
step("time range finds the single event")

found = calendar.date_search(start=day(2026, 3, 16), end=day(2026, 3, 17), expand=False)
check(len(found) == 1 and "python-roundtrip-weekly" in found[0].data,
      "third weekly occurrence by time range")
step("time range finds a recurring occurrence")

found = calendar.date_search(start=day(2026, 3, 9), end=day(2026, 3, 10), expand=False)
check(found == [], f"the EXDATE occurrence must not match: {[f.data for f in found]}")
step("time range skips the EXDATE occurrence")

found = calendar.date_search(start=day(2027, 1, 1), end=day(2027, 1, 2), expand=False)
check(found == [], "nothing in 2027")
step("time range outside every event finds nothing")

found = calendar.search(event=True, start=day(2026, 3, 1), end=day(2026, 4, 1), expand=True)
starts = sorted(str(e.instance.vevent.dtstart.value) for e in found
                if "python-roundtrip-weekly" in e.data)
check(len(starts) == 3, f"expanded weekly occurrences: {starts}")
step(f"expand returns the 3 weekly occurrences: {starts}")

event = calendar.event_by_uid("python-roundtrip-single")
check("Single meeting" in event.data, "event_by_uid")
step("event_by_uid finds the event")

synced = calendar.objects_by_sync_token(load_objects=False)
token = synced.sync_token
check(len(list(synced)) == 2, "initial sync lists 2 objects")
event.delete()
changed = calendar.objects_by_sync_token(sync_token=token, load_objects=False)
check(len(list(changed)) == 1, "incremental sync reports the deletion")
step("sync-collection: initial 2 objects, incremental 1 change after a delete")

calendar.delete()
urls = [str(c.url).rstrip("/") for c in principal.calendars()]
check(str(calendar.url).rstrip("/") not in urls, "deleted calendar still listed")
step("calendar deleted")
print("python-caldav: round trip passed", flush=True)
