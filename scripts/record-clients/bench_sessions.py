#!/usr/bin/env python3
"""Client sessions whose traffic becomes the real-traffic benchmark corpora
(scripts/record-fixtures.sh bench, written to benches/corpora/real/).

    bench_sessions.py smtp PORT USER PASSWORD COUNT      submission: COUNT messages, one session
    bench_sessions.py ehlo PORT [lmtp]                   EHLO (or LHLO) and QUIT
    bench_sessions.py imap PORT USER PASSWORD            a Thunderbird-like IMAP session
    bench_sessions.py dav URL USER PASSWORD COUNT OUTDIR  CalDAV/CardDAV: COUNT objects, then the
                                                         reports a sync client sends; every
                                                         response body written to OUTDIR
    bench_sessions.py webdav URL USER PASSWORD COUNT OUTDIR  WebDAV (Apache): COUNT files, PROPFINDs

Messages, events and cards come from a fixed-seed generator (varied sizes and MIME structure,
encoded words, attachments, recurring events with alarms and attendees, contacts with photos),
so a re-recording gives the same client bytes; the server bytes are the server's own.
"""
import base64
import http.client
import imaplib
import random
import smtplib
import sys
import urllib.parse
from email.message import EmailMessage
from email.utils import format_datetime
import datetime

WORDS = ("meeting budget report quarterly draft review invoice schedule travel project "
         "release notes minutes agenda contract offer update request approval summary "
         "Zażółć gęślą jaźń Łódź Kraków Gdańsk spotkanie umowa faktura").split()


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def message(rng, index, sender, recipients):
    """One message: plain, alternative (text + HTML) or mixed with a base64 attachment."""
    msg = EmailMessage()
    subject = sentence(rng, rng.randint(2, 9))
    msg["Subject"] = subject  # encoded words where not ASCII (the default policy)
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    if rng.random() < 0.4:
        msg["Cc"] = ", ".join(f"cc{rng.randint(1, 99)}@example.org" for _ in range(rng.randint(1, 6)))
    msg["Date"] = format_datetime(datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
                                  + datetime.timedelta(minutes=37 * index))
    msg["Message-ID"] = f"<bench-{index}@groupwire.test>"
    if index > 1 and rng.random() < 0.5:
        msg["In-Reply-To"] = f"<bench-{index - 1}@groupwire.test>"
        msg["References"] = " ".join(f"<bench-{i}@groupwire.test>" for i in range(max(1, index - 5), index))
    body = "\n\n".join(sentence(rng, rng.randint(8, 60)) for _ in range(rng.randint(1, 12)))
    if rng.random() < 0.2:
        body += "\n.\n..leading dots survive dot-stuffing\n"
    kind = rng.random()
    msg.set_content(body)
    if kind > 0.4:
        msg.add_alternative(f"<html><body><p>{body.replace(chr(10), '<br>')}</p></body></html>",
                            subtype="html")
    if kind > 0.75:
        payload = bytes(rng.getrandbits(8) for _ in range(rng.randint(2_000, 40_000)))
        msg.add_attachment(payload, maintype="application", subtype="pdf",
                           filename=f"dokument-{index}.pdf")
    return msg


def smtp(port, user, password, count):
    rng = random.Random(1)
    s = smtplib.SMTP("127.0.0.1", int(port), local_hostname="client.example.test")
    s.ehlo()
    s.login(user, password)
    sender = f"{user}@example.test"
    local = ["alice@example.test", "bob@example.test"]
    for index in range(1, int(count) + 1):
        recipients = rng.sample(local, rng.randint(1, 2))
        if rng.random() < 0.15:
            recipients.append(f"nobody{index}@example.test")  # refused: a 550 in the replies
        msg = message(rng, index, sender, recipients)
        options = ["BODY=8BITMIME"] if rng.random() < 0.5 else []
        try:
            s.send_message(msg, from_addr=sender, to_addrs=recipients, mail_options=options)
        except smtplib.SMTPRecipientsRefused:
            s.rset()
        if rng.random() < 0.05:
            s.noop()
        if rng.random() < 0.03:
            s.rset()
    s.quit()


def ehlo(port, lmtp=None):
    s = (smtplib.LMTP if lmtp else smtplib.SMTP)("127.0.0.1", int(port),
                                                  local_hostname="client.example.test")
    s.ehlo()  # smtplib.LMTP sends LHLO here
    s.quit()


def imap(port, user, password):
    m = imaplib.IMAP4("127.0.0.1", int(port))
    m.capability()
    m.login(user, password)
    m.xatom("ID", '("name" "Thunderbird" "version" "128.5.0")')
    m.xatom("ENABLE", "CONDSTORE")
    m.list('""', '"*"')
    m.lsub('""', '"*"')
    for box in ("Trash", "Sent", "Drafts"):
        m.create(box)
        m.status(box, "(MESSAGES UNSEEN RECENT UIDNEXT UIDVALIDITY HIGHESTMODSEQ)")
    m.select("INBOX")
    m.uid("FETCH", "1:*", "(FLAGS)")
    m.uid("FETCH", "1:*", "(UID RFC822.SIZE FLAGS MODSEQ BODY.PEEK[HEADER.FIELDS (From To Cc "
          "Bcc Subject Date Message-ID Priority X-Priority References Newsgroups In-Reply-To "
          "Content-Type Reply-To)])")
    typ, data = m.uid("SEARCH", None, "ALL")
    uids = data[0].split() if data and data[0] else []
    for uid in uids:
        m.uid("FETCH", uid, "(UID RFC822.SIZE BODY.PEEK[])")
    for uid in uids[::7]:
        m.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    for uid in uids[::11]:
        m.uid("STORE", uid, "+FLAGS", "(\\Flagged $Label1)")
    m.uid("FETCH", "1:*", "(UID FLAGS) (CHANGEDSINCE 1)")
    m.uid("SEARCH", None, "UNSEEN")
    m.uid("SEARCH", None, "OR SUBJECT faktura FROM alice SINCE 1-Jan-2026")
    m.uid("FETCH", "1:*", "(UID BODYSTRUCTURE ENVELOPE INTERNALDATE)")
    if uids:
        m.uid("COPY", b",".join(uids[:20]).decode(), "Trash")
    m.noop()
    # No IDLE here: the command benches' peers decode commands, not the DONE that ends IDLE
    # (the fixtures in imap-proto/tests/fixtures/real/ have IDLE sessions).
    m.close()
    m.logout()


def event(rng, index):
    start = datetime.datetime(2026, 1, 5, 8, 0) + datetime.timedelta(hours=rng.randint(0, 24 * 90))
    end = start + datetime.timedelta(minutes=rng.choice((30, 45, 60, 90, 120)))
    fmt = "%Y%m%dT%H%M%S"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//groupwire//bench recorder//EN",
             "BEGIN:VTIMEZONE", "TZID:Europe/Warsaw",
             "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST",
             "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
             "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET",
             "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
             "END:VTIMEZONE", "BEGIN:VEVENT", f"UID:bench-event-{index}@groupwire.test",
             "DTSTAMP:20260101T090000Z",
             f"DTSTART;TZID=Europe/Warsaw:{start.strftime(fmt)}",
             f"DTEND;TZID=Europe/Warsaw:{end.strftime(fmt)}",
             f"SUMMARY:{sentence(rng, rng.randint(2, 7))}",
             f"DESCRIPTION:{sentence(rng, rng.randint(0, 80))}",
             f"LOCATION:Sala {rng.randint(1, 40)}, Urząd Miasta"]
    if rng.random() < 0.3:
        lines.append(rng.choice(["RRULE:FREQ=WEEKLY;COUNT=10", "RRULE:FREQ=DAILY;UNTIL=20260401T000000Z",
                                 "RRULE:FREQ=MONTHLY;BYDAY=1MO"]))
    if rng.random() < 0.5:
        lines.append("ORGANIZER;CN=Alice:mailto:alice@example.test")
        for n in range(rng.randint(1, 8)):
            lines.append(f"ATTENDEE;CN=Person {n};PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;"
                         f"RSVP=TRUE:mailto:person{n}@example.org")
    if rng.random() < 0.4:
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Reminder",
                  "TRIGGER:-PT15M", "END:VALARM"]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return fold("\r\n".join(lines) + "\r\n")


def card(rng, index):
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"UID:bench-card-{index}@groupwire.test",
             f"FN:Osoba {index} {rng.choice(WORDS).title()}",
             f"N:{rng.choice(WORDS).title()};Osoba {index};;;",
             f"EMAIL;TYPE=INTERNET,WORK:osoba{index}@example.org",
             f"TEL;TYPE=CELL:+48 600 {rng.randint(100, 999)} {rng.randint(100, 999)}",
             f"ADR;TYPE=WORK:;;ul. {rng.choice(WORDS).title()} {rng.randint(1, 99)};Kraków;;30-001;Polska",
             f"ORG:Urząd Miasta;{rng.choice(WORDS).title()}",
             f"NOTE:{sentence(rng, rng.randint(0, 30))}"]
    if rng.random() < 0.2:
        photo = base64.b64encode(bytes(rng.getrandbits(8) for _ in range(rng.randint(1_000, 12_000))))
        lines.append("PHOTO;ENCODING=b;TYPE=JPEG:" + photo.decode())
    lines.append("END:VCARD")
    return fold("\r\n".join(lines) + "\r\n")


def fold(text):
    """Folds content lines at 75 octets (RFC 5545 §3.1), never inside a UTF-8 sequence."""
    out = []
    for line in text.split("\r\n"):
        data = line.encode()
        first = True
        while len(data) > 75:
            cut = 75 if first else 74
            while cut > 0 and (data[cut] & 0xC0) == 0x80:
                cut -= 1
            out.append((b"" if first else b" ") + data[:cut])
            data = data[cut:]
            first = False
        out.append((b"" if first else b" ") + data)
    return b"\r\n".join(out).decode()


class Dav:
    def __init__(self, url, user, password, outdir):
        self.url = urllib.parse.urlsplit(url)
        self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.conn = http.client.HTTPConnection(self.url.hostname, self.url.port)
        self.outdir = outdir
        self.count = 0

    def request(self, method, path, body=None, headers=None, keep=None):
        all_headers = {"Authorization": self.auth}
        all_headers.update(headers or {})
        self.conn.request(method, path, body=body.encode() if isinstance(body, str) else body,
                          headers=all_headers)
        response = self.conn.getresponse()
        data = response.read()
        if keep:
            self.count += 1
            with open(f"{self.outdir}/{keep}.xml", "wb") as f:
                f.write(data)
            print(f"{keep}: HTTP {response.status}, {len(data)} bytes")
        return response.status, data


PROPFIND = """<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><D:prop>
<D:resourcetype/><D:getetag/><D:getcontenttype/><D:getlastmodified/><D:displayname/>
<D:sync-token/><CS:getctag/></D:prop></D:propfind>"""


def dav(url, user, password, count, outdir):
    rng = random.Random(2)
    d = Dav(url, user, password, outdir)
    base = d.url.path.rstrip("/")
    cal, book = f"{base}/{user}/bench-calendar/", f"{base}/{user}/bench-contacts/"
    d.request("DELETE", cal)
    d.request("DELETE", book)
    status, _ = d.request("MKCOL", cal, """<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>
<D:resourcetype><D:collection/><C:calendar/></D:resourcetype><D:displayname>Bench</D:displayname>
</D:prop></D:set></D:mkcol>""", {"Content-Type": "application/xml"})
    assert status in (200, 201), status
    status, _ = d.request("MKCOL", book, """<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:A="urn:ietf:params:xml:ns:carddav"><D:set><D:prop>
<D:resourcetype><D:collection/><A:addressbook/></D:resourcetype><D:displayname>Kontakty</D:displayname>
</D:prop></D:set></D:mkcol>""", {"Content-Type": "application/xml"})
    assert status in (200, 201), status
    for index in range(1, int(count) + 1):
        d.request("PUT", f"{cal}event-{index}.ics", event(rng, index),
                  {"Content-Type": "text/calendar; charset=utf-8"})
        d.request("PUT", f"{book}card-{index}.vcf", card(rng, index),
                  {"Content-Type": "text/vcard; charset=utf-8"})
    depth1 = {"Depth": "1", "Content-Type": "application/xml"}
    d.request("PROPFIND", cal, PROPFIND, depth1, keep="propfind-calendar")
    d.request("PROPFIND", book, PROPFIND, depth1, keep="propfind-addressbook")
    d.request("REPORT", cal, """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/>
<C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
<C:time-range start="20260101T000000Z" end="20270101T000000Z"/></C:comp-filter></C:comp-filter>
</C:filter></C:calendar-query>""", depth1, keep="calendar-query")
    hrefs = "".join(f"<D:href>{cal}event-{i}.ics</D:href>" for i in range(1, int(count) + 1, 2))
    d.request("REPORT", cal, f"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/>
<C:calendar-data/></D:prop>{hrefs}</C:calendar-multiget>""", depth1, keep="calendar-multiget")
    d.request("REPORT", book, """<?xml version="1.0" encoding="utf-8"?>
<A:addressbook-query xmlns:D="DAV:" xmlns:A="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/>
<A:address-data/></D:prop></A:addressbook-query>""", depth1, keep="addressbook-query")
    for collection, name in ((cal, "sync-calendar"), (book, "sync-addressbook")):
        d.request("REPORT", collection, """<?xml version="1.0" encoding="utf-8"?>
<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop>
<D:getetag/><D:getcontenttype/></D:prop></D:sync-collection>""",
                  {"Content-Type": "application/xml"}, keep=name)


def webdav(url, user, password, count, outdir):
    rng = random.Random(3)
    d = Dav(url, user, password, outdir)
    base = d.url.path.rstrip("/") + "/bench-files/"
    d.request("DELETE", base)
    d.request("MKCOL", base)
    for folder in range(1, 6):
        d.request("MKCOL", f"{base}folder-{folder}/")
    for index in range(1, int(count) + 1):
        folder = rng.randint(0, 5)
        path = base if folder == 0 else f"{base}folder-{folder}/"
        name = f"{sentence(rng, 2).replace(' ', '-')}-{index}.txt"
        d.request("PUT", path + urllib.parse.quote(name), sentence(rng, rng.randint(5, 200)),
                  {"Content-Type": "text/plain; charset=utf-8"})
    d.request("PROPFIND", base, PROPFIND, {"Depth": "1", "Content-Type": "application/xml"},
              keep="propfind-depth1")
    d.request("PROPFIND", base, """<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>""",
              {"Depth": "1", "Content-Type": "application/xml"}, keep="propfind-allprop")


def main():
    what = sys.argv[1]
    if what == "smtp":
        smtp(*sys.argv[2:6])
    elif what == "ehlo":
        ehlo(*sys.argv[2:4])
    elif what == "imap":
        imap(*sys.argv[2:5])
    elif what == "dav":
        dav(*sys.argv[2:7])
    elif what == "webdav":
        webdav(*sys.argv[2:7])
    else:
        sys.exit(f"unknown session {what}")


if __name__ == "__main__":
    main()
