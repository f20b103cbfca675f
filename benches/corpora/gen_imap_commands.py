#!/usr/bin/env python3
"""Generates benches/corpora/imap-commands.txt: a varied stream of IMAP client commands
(~1 MiB) as a mail client session sends them: LOGIN, SELECT, UID FETCH of flags and bodies
with header lists and partials, SEARCH with nested keys, STORE, COPY/MOVE, LIST, STATUS,
APPEND with synchronising and LITERAL+ literals (message bodies of 200 B to 8 KiB), IDLE/DONE
excluded (no peer decodes DONE through its command decoder). Deterministic (fixed seed).

Usage: python3 gen_imap_commands.py > imap-commands.txt
"""
import random
import sys

rnd = random.Random(20261122)
out = []
tag = 0


def t():
    global tag
    tag += 1
    return f"A{tag:05}"


def message(size):
    lines = [
        "From: Alice Example <alice@example.org>",
        "To: Bob <bob@example.net>",
        f"Subject: report {rnd.randint(1, 99999)}",
        "Date: Mon, 7 Feb 1994 21:52:25 -0800",
        "Message-ID: <%d@example.org>" % rnd.randint(1, 10**9),
        "",
    ]
    body = "\r\n".join(lines) + "\r\n"
    words = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit"]
    while len(body) < size:
        body += " ".join(rnd.choice(words) for _ in range(12)) + "\r\n"
    return body.encode()


mailboxes = ["INBOX", "Sent", "Drafts", "Archive/2024", "\"Lists/rust users\"", "Trash"]
out.append(f"{t()} CAPABILITY\r\n".encode())
out.append(f"{t()} LOGIN alice \"s3cret pass\"\r\n".encode())
size = 0
while size < 1 << 20:
    kind = rnd.random()
    lo = rnd.randint(1, 5000)
    hi = lo + rnd.randint(0, 300)
    mbox = rnd.choice(mailboxes)
    if kind < 0.20:
        line = f"{t()} UID FETCH {lo}:{hi} (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (From To Cc Subject Date Message-ID References In-Reply-To)])\r\n"
    elif kind < 0.30:
        line = f"{t()} UID FETCH {lo} (BODY.PEEK[] BODYSTRUCTURE ENVELOPE)\r\n"
    elif kind < 0.38:
        line = f"{t()} FETCH {lo}:* (FLAGS BODY.PEEK[1.2.MIME] BODY[TEXT]<0.2048>)\r\n"
    elif kind < 0.48:
        line = f"{t()} UID SEARCH CHARSET UTF-8 OR (FROM \"alice@example.org\" SINCE 1-Feb-2024) (SUBJECT \"report {lo}\" NOT SEEN) UID {lo}:{hi} LARGER {hi * 10}\r\n"
    elif kind < 0.56:
        line = f"{t()} UID STORE {lo},{hi}:{hi + 5} +FLAGS.SILENT (\\Seen $Forwarded)\r\n"
    elif kind < 0.62:
        line = f"{t()} UID MOVE {lo}:{hi} {mbox}\r\n"
    elif kind < 0.66:
        line = f"{t()} UID COPY {lo}:{hi} {mbox}\r\n"
    elif kind < 0.72:
        line = f"{t()} LIST \"\" \"*\"\r\n"
    elif kind < 0.78:
        line = f"{t()} STATUS {mbox} (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)\r\n"
    elif kind < 0.84:
        line = f"{t()} SELECT {mbox}\r\n"
    elif kind < 0.88:
        line = f"{t()} NOOP\r\n"
    else:
        data = message(rnd.choice([200, 1000, 3000, 8000]))
        plus = "+" if rnd.random() < 0.5 else ""
        out.append(f"{t()} APPEND {mbox} (\\Seen) \"14-Jul-2024 02:44:25 +0200\" {{{len(data)}{plus}}}\r\n".encode())
        out.append(data + b"\r\n")
        size += len(data) + 60
        continue
    out.append(line.encode())
    size += len(line)
out.append(f"{t()} LOGOUT\r\n".encode())
sys.stdout.buffer.write(b"".join(out))
