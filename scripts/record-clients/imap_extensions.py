#!/usr/bin/env python3
"""Raw IMAP session exercising extensions Dovecot offers, for scripts/record-fixtures.sh.

Usage: imap_extensions.py PORT USER PASSWORD LMTP_PORT
Sends one command at a time and reads to its tagged reply. During IDLE a message is delivered
over LMTP so the server sends untagged EXISTS/RECENT while idling.
"""
import smtplib
import socket
import sys

port, user, password, lmtp_port = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
sock = socket.create_connection(("127.0.0.1", port))
reader = sock.makefile("rb")
counter = 0


def read_line():
    line = reader.readline()
    if not line:
        raise SystemExit("connection closed")
    return line


def read_until_tag(tag):
    """Read lines (and any literals) until the tagged reply."""
    while True:
        line = read_line()
        stripped = line.rstrip(b"\r\n")
        if stripped.endswith(b"}") and b"{" in stripped:
            size = int(stripped[stripped.rindex(b"{") + 1:-1].rstrip(b"+"))
            reader.read(size)
            continue
        if line.startswith(tag + b" "):
            return line


def command(text, literal=None, sync=True):
    global counter
    counter += 1
    tag = b"x%d" % counter
    if literal is None:
        sock.sendall(tag + b" " + text.encode() + b"\r\n")
    elif sync:
        sock.sendall(tag + b" " + text.encode() + b" {%d}\r\n" % len(literal))
        line = read_line()
        assert line.startswith(b"+"), line
        sock.sendall(literal + b"\r\n")
    else:  # LITERAL+
        sock.sendall(tag + b" " + text.encode() + b" {%d+}\r\n" % len(literal) + literal + b"\r\n")
    return read_until_tag(tag)


message = (b"From: alice@example.test\r\nTo: alice@example.test\r\nSubject: extensions\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\n\r\nZ\xc3\xbcrich preview text\r\n")
read_line()  # greeting
command(f'LOGIN {user} "{password}"')
command('ID ("name" "groupwire-recorder" "version" "1")')
command("ENABLE CONDSTORE QRESYNC")
command("NAMESPACE")
command('LIST (SPECIAL-USE) "" "*" RETURN (SUBSCRIBED CHILDREN STATUS (MESSAGES UNSEEN SIZE))')
command('LIST "" "%" RETURN (SPECIAL-USE)')
command("CREATE Archive")
command("STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY HIGHESTMODSEQ SIZE)")
command("APPEND INBOX (\\Seen $Important)", literal=message, sync=False)
command("APPEND INBOX (\\Draft)", literal=message, sync=True)
command("SELECT INBOX (CONDSTORE)")
command("FETCH 1:* (UID FLAGS MODSEQ) (CHANGEDSINCE 1)")
command("UID FETCH 1:* (UID RFC822.SIZE BINARY.SIZE[1] PREVIEW)")
command("FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[TEXT]<0.8> BINARY.PEEK[1])")
command("UID SORT (REVERSE ARRIVAL) UTF-8 ALL")
command("UID THREAD REFERENCES UTF-8 ALL")
command("SEARCH RETURN (MIN MAX COUNT ALL) SEEN")
command("UID SEARCH RETURN (SAVE) UNSEEN")
command("UID STORE 1 (UNCHANGEDSINCE 1000000) +FLAGS.SILENT (\\Answered)")
command("UID MOVE $ Archive")
command("UID EXPUNGE 1:*")
sock.sendall(b"x-idle IDLE\r\n")
line = read_line()
assert line.startswith(b"+"), line
lmtp = smtplib.LMTP("127.0.0.1", lmtp_port, local_hostname="recorder.example.test")
lmtp.sendmail("bob@example.test", [f"{user}@example.test"],
              b"From: bob@example.test\r\nSubject: during idle\r\n\r\nhello\r\n")
lmtp.quit()
read_line()  # the untagged EXISTS the delivery causes
sock.sendall(b"DONE\r\n")
read_until_tag(b"x-idle")
command("UNSELECT")
command("LOGOUT")
sock.close()
