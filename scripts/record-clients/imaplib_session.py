#!/usr/bin/env python3
"""Python imaplib session for scripts/record-fixtures.sh: PORT USER PASSWORD."""
import imaplib
import sys

port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
m = imaplib.IMAP4("127.0.0.1", port)
m.capability()
m.login(user, password)
m.list()
m.select("INBOX")
typ, data = m.search(None, "ALL")
first = data[0].split()[0] if data and data[0] else b"1"
m.fetch(first, "(UID FLAGS BODYSTRUCTURE ENVELOPE)")
m.fetch(first, "(BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)] RFC822.SIZE INTERNALDATE)")
m.store(first, "+FLAGS", "(\\Flagged)")
m.copy(first, "Trash")
m.uid("SEARCH", None, "FLAGGED")
m.store(first, "+FLAGS", "(\\Deleted)")
m.expunge()
m.status("Trash", "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN)")
# IDLE by hand (imaplib before Python 3.14 has no idle()): start, then DONE.
tag = m._new_tag()
m.send(tag + b" IDLE\r\n")
line = m.readline()
assert line.startswith(b"+"), line
m.send(b"DONE\r\n")
while True:
    line = m.readline()
    if line.startswith(tag):
        break
m.close()
m.logout()
