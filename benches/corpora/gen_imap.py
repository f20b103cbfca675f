#!/usr/bin/env python3
"""Generates the IMAP response corpora for benches/benches/imap_responses.rs (deterministic).

imap-fetch.txt     FETCH-heavy stream: flags, UID, sizes, dates, envelopes, bodystructures,
                   small header literals (what a client's mailbox sync sees)
imap-mixed.txt     mixed untagged and status responses (SELECT, LIST, STATUS, EXPUNGE, ...)
imap-literals.txt  two FETCH responses carrying 1 MiB literals
imap-search.txt    one `* SEARCH` line of about 1 MB, then its tagged OK
"""
import random
from pathlib import Path

HERE = Path(__file__).parent
rng = random.Random(7)
words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike".split()


def subject():
    return " ".join(rng.choice(words) for _ in range(rng.randint(2, 7)))


def address():
    name = rng.choice(words).title() + " " + rng.choice(words).title()
    return f'("{name}" NIL "{rng.choice(words)}" "{rng.choice(words)}.example")'


def envelope(i):
    return (f'("Mon, {i % 28 + 1} Jan 2024 10:00:00 +0000" "{subject()}" ({address()}) ({address()}) '
            f'({address()}) ({address()}{address()}) NIL NIL NIL "<{i}.{rng.randint(1, 99999)}@example.org>")')


def bodystructure():
    text = '("TEXT" "PLAIN" ("CHARSET" "UTF-8") NIL NIL "QUOTED-PRINTABLE" {} {} NIL NIL NIL NIL)'
    html = '("TEXT" "HTML" ("CHARSET" "UTF-8") NIL NIL "BASE64" {} {} NIL NIL NIL NIL)'
    pdf = '("APPLICATION" "PDF" ("NAME" "report.pdf") NIL NIL "BASE64" {} NIL ("ATTACHMENT" ("FILENAME" "report.pdf")) NIL NIL)'
    alt = (f'({text.format(rng.randint(100, 9000), rng.randint(5, 200))}'
           f'{html.format(rng.randint(100, 9000), rng.randint(5, 200))} "ALTERNATIVE" ("BOUNDARY" "b1") NIL NIL NIL)')
    if rng.random() < 0.5:
        return f'({alt}{pdf.format(rng.randint(1000, 90000))} "MIXED" ("BOUNDARY" "b0") NIL NIL NIL)'
    return alt


def fetch_stream():
    out = []
    for i in range(1, 3001):
        header = f"From: {rng.choice(words)}@example.org\r\nSubject: {subject()}\r\n\r\n".encode()
        flags = " ".join(rng.sample(["\\Seen", "\\Answered", "\\Flagged", "$Forwarded", "Junk"], rng.randint(0, 3)))
        out.append(
            f"* {i} FETCH (UID {1000 + i} FLAGS ({flags}) RFC822.SIZE {rng.randint(900, 200000)} "
            f'INTERNALDATE "{i % 28 + 1:2d}-Jan-2024 10:{i % 60:02d}:00 +0000" MODSEQ ({50000 + i}) '
            f"ENVELOPE {envelope(i)} BODYSTRUCTURE {bodystructure()} "
            f"BODY[HEADER.FIELDS (FROM SUBJECT)] {{{len(header)}}}\r\n".encode() + header + b")\r\n")
    out.append(b"A7 OK FETCH completed\r\n")
    return b"".join(out)


def mixed_stream():
    out = []
    for i in range(1, 1501):
        kind = i % 10
        if kind == 0:
            out.append(f"A{i} OK [READ-WRITE] SELECT completed\r\n")
        elif kind == 1:
            out.append(f"* {i} EXISTS\r\n* OK [UIDVALIDITY 3857529045] UIDs valid\r\n* OK [UIDNEXT {i + 5}] Predicted\r\n")
        elif kind == 2:
            out.append("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)\r\n"
                       "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n")
        elif kind == 3:
            out.append(f'* LIST (\\HasNoChildren \\Sent) "/" "Archive/{rng.choice(words)}{i}"\r\n')
        elif kind == 4:
            out.append(f'* STATUS "INBOX.{rng.choice(words)}" (MESSAGES {i} UIDNEXT {i + 1} UNSEEN {i % 7})\r\n')
        elif kind == 5:
            out.append(f"* {i} EXPUNGE\r\n")
        elif kind == 6:
            out.append(f"* {i} FETCH (FLAGS (\\Seen) UID {i + 77})\r\n")
        elif kind == 7:
            out.append("* CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE IDLE "
                       "SORT THREAD=REFERENCES MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS CONDSTORE "
                       "QRESYNC ESEARCH SPECIAL-USE MOVE\r\n")
        elif kind == 8:
            out.append(f"A{i} NO [TRYCREATE] Mailbox does not exist\r\n")
        else:
            # Plain SEARCH, not ESEARCH: imap-codec does not decode ESEARCH.
            out.append(f"* SEARCH 2 7 8 {i + 9}\r\n")
    return "".join(out).encode()


def literal_stream():
    out = []
    for i in (1, 2):
        body = bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz \r\n") for _ in range(1 << 20))
        out.append(f"* {i} FETCH (UID {i} BODY[] {{{len(body)}}}\r\n".encode() + body + b")\r\n")
    out.append(b"A9 OK done\r\n")
    return b"".join(out)


def search_stream():
    numbers = []
    n = 1
    size = 0
    while size < 1_000_000:
        n += rng.randint(1, 3)
        numbers.append(str(n))
        size += len(numbers[-1]) + 1
    return ("* SEARCH " + " ".join(numbers) + "\r\nA5 OK SEARCH completed\r\n").encode()


(HERE / "imap-fetch.txt").write_bytes(fetch_stream())
(HERE / "imap-mixed.txt").write_bytes(mixed_stream())
(HERE / "imap-literals.txt").write_bytes(literal_stream())
(HERE / "imap-search.txt").write_bytes(search_stream())
