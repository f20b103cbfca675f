#!/usr/bin/python3
"""The python `caldav` library's view of a CalDAV server, as a second opinion on groupwire's
CalDAV verdicts (issue 11). Runs the library's functional round trip (discover the principal
and its calendars, create a calendar, store events and a task, query them) plus the same
semantic probes the groupwire CalDAV suite makes, with the same test data, and prints one line
per probe: `PASS name`, `FAIL name: why`, or `ERROR name: exception`.

    scripts/peers/python-caldav-check.py URL USER PASSWORD

Needs Debian's python3-caldav (0.11); exits 0 when every probe passed.
"""
import sys
import uuid
from datetime import datetime, timezone

import caldav
from caldav.lib import error

URL, USER, PASSWORD = sys.argv[1:4]
RUN = "pycaldav-" + uuid.uuid4().hex[:8]
results = []


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def wrap(body):
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//groupwire//python-caldav peer//EN\r\n"
            + body + "END:VCALENDAR\r\n")


def vevent(uid, start, end, summary, extra=""):
    return (f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:{start}\r\n"
            f"DTEND:{end}\r\nSUMMARY:{summary}\r\n{extra}END:VEVENT\r\n")


SINGLE = wrap(vevent(RUN + "-single", "20270104T100000Z", "20270104T110000Z", "Budget meeting",
                     "LOCATION:Room 1\r\n"))
WEEKLY = wrap(vevent(RUN + "-weekly", "20270104T090000Z", "20270104T093000Z", "Weekly standup",
                     "RRULE:FREQ=WEEKLY;COUNT=6\r\nEXDATE:20270118T090000Z\r\n")
              + "BEGIN:VEVENT\r\nUID:" + RUN + "-weekly\r\nDTSTAMP:20261201T000000Z\r\n"
              "RECURRENCE-ID:20270125T090000Z\r\nDTSTART:20270126T150000Z\r\n"
              "DTEND:20270126T160000Z\r\nSUMMARY:Weekly standup (moved)\r\nEND:VEVENT\r\n")
ALLDAY = wrap(f"BEGIN:VEVENT\r\nUID:{RUN}-allday\r\nDTSTAMP:20261201T000000Z\r\n"
              "DTSTART;VALUE=DATE:20270210\r\nDTEND;VALUE=DATE:20270211\r\nSUMMARY:Holiday\r\n"
              "END:VEVENT\r\n")
TASK = wrap(f"BEGIN:VTODO\r\nUID:{RUN}-task\r\nDTSTAMP:20261201T000000Z\r\n"
            "DTSTART:20270110T090000Z\r\nDUE:20270110T170000Z\r\nSUMMARY:File report\r\n"
            "STATUS:NEEDS-ACTION\r\nEND:VTODO\r\n")


def probe(name):
    def run(fn):
        try:
            outcome = fn()
            if outcome is True or outcome is None:
                results.append(("PASS", name, ""))
            else:
                results.append(("FAIL", name, str(outcome)))
        except Exception as exc:  # the library's view, whatever it raises
            results.append(("ERROR", name, f"{type(exc).__name__}: {exc}"[:300]))
        return fn
    return run


def uids(objs):
    found = set()
    for obj in objs:
        try:
            found.add(str(obj.icalendar_component["UID"]).rsplit("-", 1)[-1])
        except Exception:
            found.add(str(obj.url).rsplit("/", 1)[-1])
    return found


client = caldav.DAVClient(url=URL, username=USER, password=PASSWORD)
state = {}


@probe("discover: principal and calendar home (current-user-principal, calendar-home-set)")
def _():
    state["principal"] = client.principal()
    state["principal"].calendars()


@probe("mkcalendar with a display name")
def _():
    state["cal"] = state["principal"].make_calendar(name=RUN + " calendar", cal_id=RUN)
    name = state["cal"].get_display_name()
    return name == RUN + " calendar" or f"displayname {name!r}"


@probe("put events and a task (save_event/save_todo)")
def _():
    cal = state["cal"]
    for body in (SINGLE, WEEKLY, ALLDAY):
        cal.save_event(body)
    cal.save_todo(TASK)


@probe("calendar-query time-range on a single event")
def _():
    got = uids(state["cal"].date_search(utc(2027, 1, 4, 10, 30), utc(2027, 1, 4, 10, 45), expand=False))
    return got == {"single"} or f"matched {got}"


@probe("calendar-query time-range on a later instance of a recurring event")
def _():
    got = uids(state["cal"].date_search(utc(2027, 1, 11), utc(2027, 1, 12), expand=False))
    return got == {"weekly"} or f"matched {got}"


@probe("calendar-query excludes the EXDATE instance")
def _():
    got = uids(state["cal"].date_search(utc(2027, 1, 18), utc(2027, 1, 19), expand=False))
    return "weekly" not in got or f"matched {got}"


@probe("calendar-query matches an overridden instance where it was moved")
def _():
    got = uids(state["cal"].date_search(utc(2027, 1, 26, 14, 30), utc(2027, 1, 26, 15, 30), expand=False))
    return "weekly" in got or f"matched {got}"


@probe("calendar-query all-day event at noon of its day")
def _():
    got = uids(state["cal"].date_search(utc(2027, 2, 10, 12), utc(2027, 2, 10, 13), expand=False))
    return got == {"allday"} or f"matched {got}"


@probe("search with expand=True (python caldav 0.11 expands client-side when the server does not)")
def _():
    objs = state["cal"].search(start=utc(2027, 1, 1), end=utc(2027, 2, 1), event=True, expand=True,
                               split_expanded=False)
    text = "".join(o.data for o in objs if RUN + "-weekly" in o.data)
    starts = sorted(l for l in text.splitlines() if l.startswith("DTSTART"))
    return ("RRULE" not in text and len(starts) == 3) or f"RRULE kept or DTSTARTs {starts}"


@probe("todos() lists the task")
def _():
    got = uids(state["cal"].todos())
    return "task" in got or f"todos {got}"


@probe("free-busy-query")
def _():
    fb = state["cal"].freebusy_request(utc(2027, 1, 4), utc(2027, 1, 5))
    data = fb.data if fb is not None else ""
    return ("FREEBUSY" in data and "20270104T100000Z" in data) or f"{data[:200]!r}"


@probe("sync-collection: initial, then a change is reported")
def _():
    cal = state["cal"]
    first = cal.objects_by_sync_token(load_objects=False)
    token = first.sync_token
    cal.save_event(SINGLE.replace("Budget meeting", "Budget meeting moved"))
    second = cal.objects_by_sync_token(sync_token=token, load_objects=False)
    changed = [str(o.url) for o in second]
    return any(o.endswith(".ics") for o in changed) or f"changed {changed}"


@probe("sync-collection: an invalid token is refused")
def _():
    try:
        state["cal"].objects_by_sync_token(sync_token="http://groupwire.invalid/sync/x", load_objects=False)
    except (error.ReportError, error.DAVError):
        return True
    return "the invalid token was accepted"


@probe("no-uid-conflict: a second object with the same UID is refused")
def _():
    try:
        state["cal"].save_event(SINGLE.replace("Budget meeting", "Duplicate"), no_overwrite=True)
    except Exception:
        return True
    return "a duplicate UID was stored"


@probe("delete the calendar")
def _():
    state["cal"].delete()


failed = 0
for status, name, why in results:
    print(f"{status} {name}" + (f": {why}" if why else ""))
    failed += status != "PASS"
print(f"{len(results) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
