#!/usr/bin/env python3
"""python3-caldav session for scripts/record-fixtures.sh: PORT USER PASSWORD.

Discovers the principal, creates a calendar, stores an event and a task, runs a time-range
query, lists objects, syncs by token, fetches and deletes one event.
"""
import sys
from datetime import datetime

import caldav

port, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
client = caldav.DAVClient(f"http://127.0.0.1:{port}/{user}/", username=user, password=password)
principal = client.principal()
calendar = principal.make_calendar(name="Team", cal_id="team")
event = calendar.save_event(
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//groupwire//caldav-recorder//EN\r\n"
    "BEGIN:VEVENT\r\nUID:caldav-event-1@groupwire.test\r\nDTSTAMP:20260101T090000Z\r\n"
    "DTSTART:20260112T140000Z\r\nDTEND:20260112T150000Z\r\nSUMMARY:Review\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)
calendar.save_todo(
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//groupwire//caldav-recorder//EN\r\n"
    "BEGIN:VTODO\r\nUID:caldav-todo-1@groupwire.test\r\nDTSTAMP:20260101T090000Z\r\n"
    "SUMMARY:Prepare slides\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
)
calendar.date_search(start=datetime(2026, 1, 1), end=datetime(2026, 2, 1), expand=False)
calendar.objects()
try:
    calendar.objects_by_sync_token(load_objects=False)
except Exception as error:  # older servers / library versions
    print("sync-token query failed:", error)
event.load()
event.delete()
