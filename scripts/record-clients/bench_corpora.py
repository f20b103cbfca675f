#!/usr/bin/env python3
"""Turns the recorded benchmark sessions into the real-traffic corpora the benches read.

    bench_corpora.py RECORDED_DIR OUT_DIR

From RECORDED_DIR (written by scripts/record-fixtures.sh bench):
  smtp-postfix.{client,server}   a submission session to Postfix (python smtplib)
  ehlo-postfix-mx.{client,server}  EHLO to Postfix's MX-style port
  lmtp-dovecot.{client,server}   an LMTP session to Dovecot (LHLO)
  imap-dovecot.{client,server}   a Thunderbird-like IMAP session to Dovecot (python imaplib)
  dav-*/ *.xml                   multistatus bodies from Radicale and Apache
writes OUT_DIR:
  imap-dovecot.server    the server's bytes as they came (IMAP responses)
  imap-dovecot.client    the client's bytes as they went (IMAP commands)
  smtp-postfix-commands.txt   the client's command lines, without the DATA payloads
  smtp-postfix-replies.txt    every reply Postfix sent
  smtp-real-ehlo.txt     the EHLO/LHLO replies of Postfix and Dovecot, each as sent
  smtp-postfix-data.txt  the DATA payloads as sent (dot-stuffed by smtplib), as one payload
                         ending in the terminator
  dav-<server>-<name>.xml  the multistatus bodies, unchanged
"""
import pathlib
import shutil
import sys


def replies(stream):
    """Each complete reply (all its lines) of a server stream, in order."""
    out, current = [], b""
    for line in stream.split(b"\r\n")[:-1]:
        current += line + b"\r\n"
        if len(line) < 4 or line[3:4] != b"-":
            out.append(current)
            current = b""
    return out


def commands_and_payloads(stream):
    """The client's command lines, and the DATA payloads (without their terminator)."""
    commands, payloads = [], []
    rest = stream
    while rest:
        line, sep, rest = rest.partition(b"\r\n")
        if not sep:
            break
        commands.append(line + b"\r\n")
        if line.upper() == b"DATA":
            payload, sep, rest = rest.partition(b"\r\n.\r\n")
            payloads.append(payload + b"\r\n")
    return commands, payloads


def main():
    recorded, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    for name in ("imap-dovecot.server", "imap-dovecot.client"):
        shutil.copyfile(recorded / name, out / name)
    client = (recorded / "smtp-postfix.client").read_bytes()
    server = (recorded / "smtp-postfix.server").read_bytes()
    commands, payloads = commands_and_payloads(client)
    (out / "smtp-postfix-commands.txt").write_bytes(b"".join(commands))
    (out / "smtp-postfix-replies.txt").write_bytes(server)
    (out / "smtp-postfix-data.txt").write_bytes(b"".join(payloads) + b".\r\n")
    ehlo = []
    for session in ("smtp-postfix", "ehlo-postfix-mx", "lmtp-dovecot"):
        for reply in replies((recorded / f"{session}.server").read_bytes()):
            if reply.count(b"\r\n") > 2 and reply.startswith(b"250-"):
                ehlo.append(reply)
    (out / "smtp-real-ehlo.txt").write_bytes(b"".join(ehlo))
    for folder in sorted(recorded.glob("dav-*")):
        for body in sorted(folder.glob("*.xml")):
            shutil.copyfile(body, out / f"{folder.name}-{body.name}")
    for path in sorted(out.iterdir()):
        print(f"bench_corpora: {path.name}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
