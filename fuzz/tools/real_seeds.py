#!/usr/bin/env python3
"""Writes seeds cut from the traffic recorded against the CI's real servers, for the targets
that take one message as their input (a command, a reply, a body, an If header).

    python3 fuzz/tools/real_seeds.py

Sources (written by scripts/record-fixtures.sh; Dovecot, Postfix, Radicale, Apache):
  imap-proto/tests/fixtures/real/*.client          -> imap_command (one command each)
  smtp-proto/tests/fixtures/real/*.client|.server  -> smtp_command (one command line each,
                                                      DATA payloads skipped), smtp_reply (one
                                                      reply each), smtp_server (whole streams)
  dav-proto/tests/fixtures/real/{radicale,apache}/ -> dav_request (*-request.xml),
                                                      dav_response (*-response.xml), ical
                                                      (*.ics), vcard (*.vcf), dav_if_header
                                                      (the If headers of the client streams)
Each seed is named real-<capture>-<n> in fuzz/seeds/TARGET/; identical inputs are written
once. Existing real-* seeds of those targets are replaced.
"""
import hashlib
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEEDS = ROOT / "fuzz" / "seeds"
MAX_LEN = 65536  # the campaign's -max_len


def lines(data):
    """CRLF-terminated lines, each with its CRLF."""
    return [line + b"\r\n" for line in data.split(b"\r\n")[:-1]]


def smtp_commands(stream):
    out, rest = [], stream
    while rest:
        line, sep, rest = rest.partition(b"\r\n")
        if not sep:
            break
        out.append(line + b"\r\n")
        if line.upper() == b"DATA":
            _, _, rest = rest.partition(b"\r\n.\r\n")
    return out


def smtp_replies(stream):
    out, current = [], b""
    for line in lines(stream):
        current += line
        if len(line) < 6 or line[3:4] != b"-":
            out.append(current)
            current = b""
    return out


def imap_commands(stream):
    """Client commands; a line ending in a literal {n} or {n+} takes the literal and the rest
    of the command with it."""
    out, current, rest = [], b"", stream
    while rest:
        line, sep, rest = rest.partition(b"\r\n")
        if not sep:
            break
        current += line + b"\r\n"
        literal = re.search(rb"\{(\d+)\+?\}$", line)
        if literal:
            size = int(literal.group(1))
            current += rest[:size]
            rest = rest[size:]
            continue
        out.append(current)
        current = b""
    return out


def main():
    seeds = {}

    def add(target, name, data):
        if 0 < len(data) <= MAX_LEN:
            seeds.setdefault(target, {}).setdefault(hashlib.sha1(data).hexdigest(), (name, data))

    for path in sorted((ROOT / "imap-proto/tests/fixtures/real").glob("*.client")):
        for i, command in enumerate(imap_commands(path.read_bytes())):
            add("imap_command", f"real-{path.stem}-{i:03}", command)
    for path in sorted((ROOT / "smtp-proto/tests/fixtures/real").glob("*.client")):
        data = path.read_bytes()
        add("smtp_server", f"real-{path.stem}", data)
        for i, command in enumerate(smtp_commands(data)):
            add("smtp_command", f"real-{path.stem}-{i:03}", command)
    for path in sorted((ROOT / "smtp-proto/tests/fixtures/real").glob("*.server")):
        for i, reply in enumerate(smtp_replies(path.read_bytes())):
            add("smtp_reply", f"real-{path.stem}-{i:03}", reply)
    dav = ROOT / "dav-proto/tests/fixtures/real"
    for server in ("radicale", "apache"):
        for path in sorted((dav / server).glob(f"{server}-*")):
            name = path.name
            data = path.read_bytes()
            if name.endswith("-request.xml"):
                add("dav_request", f"real-{path.stem}", data)
            elif name.endswith("-response.xml"):
                add("dav_response", f"real-{path.stem}", data)
            elif name.endswith(".ics"):
                add("ical", f"real-{path.stem}", data)
            elif name.endswith(".vcf"):
                add("vcard", f"real-{path.stem}", data)
            elif name.endswith(".client"):
                for i, header in enumerate(re.findall(rb"(?im)^If: ?(.*)\r$", data)):
                    add("dav_if_header", f"real-{path.stem}-{i}", header)
    for target, found in sorted(seeds.items()):
        folder = SEEDS / target
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("real-*"):
            old.unlink()
        for name, data in found.values():
            (folder / name).write_bytes(data)
        print(f"real_seeds: {target}: {len(found)} seeds from recorded traffic")


if __name__ == "__main__":
    main()
