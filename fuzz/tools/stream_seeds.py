#!/usr/bin/env python3
"""Writes plain-capture seeds for the stream fuzz targets (their whole input is the stream).

    python3 fuzz/tools/stream_seeds.py OUT_DIR

writes OUT_DIR/imap_client_stream/ (server byte streams), OUT_DIR/imap_server_stream/ (client
byte streams) and OUT_DIR/smtp_data/ (DATA payloads with their terminator) from:
  - recorded real traffic: imap-proto/tests/fixtures/real/*.{client,server} (Dovecot sessions),
    smtp-proto/tests/fixtures/real/*.client (the bytes after each DATA command);
  - RFC example transcripts: imap-proto/tests/fixtures/rfc/*.txt (format in that README).
Real captures go into fuzz/seeds/TARGET/ as they are; RFC candidates are merged with
`TARGET -merge=1 fuzz/seeds/TARGET OUT_DIR/TARGET`, which keeps only those adding coverage
(see fuzz/README.md).
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def transcript_streams(path):
    """(client bytes, server bytes) of an RFC example transcript."""
    client, server = bytearray(), bytearray()
    last, started = None, False
    lines = path.read_bytes().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for line in lines:
        if not started and line.startswith(b"#"):
            continue
        if line[:2] in (b"C:", b"S:"):
            started = True
            last = line[:1]
            text = line[2:]
            if text.startswith(b" "):
                text = text[1:]
        else:
            text = line
        if last == b"C":
            client += text + b"\r\n"
        elif last == b"S":
            server += text + b"\r\n"
    return bytes(client), bytes(server)


def data_payloads(stream):
    """Every DATA payload (with its CRLF.CRLF) in an SMTP client stream."""
    out = []
    for match in re.finditer(rb"(?im)^DATA\r\n", stream):
        end = stream.find(b"\r\n.\r\n", match.end())
        if end >= 0:
            out.append(stream[match.end() : end + 5])
    return out


def write(directory, name, data):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data)


def main():
    out = pathlib.Path(sys.argv[1])
    imap_real = ROOT / "imap-proto/tests/fixtures/real"
    for capture in sorted(imap_real.glob("*.server")):
        write(out / "imap_client_stream", "real-" + capture.name, capture.read_bytes())
    for capture in sorted(imap_real.glob("*.client")):
        write(out / "imap_server_stream", "real-" + capture.name, capture.read_bytes())
    for example in sorted((ROOT / "imap-proto/tests/fixtures/rfc").glob("*.txt")):
        client, server = transcript_streams(example)
        if server:
            write(out / "imap_client_stream", example.stem, server)
        if client:
            write(out / "imap_server_stream", "rfc-" + example.stem, client)
    for capture in sorted((ROOT / "smtp-proto/tests/fixtures/real").glob("*.client")):
        for n, payload in enumerate(data_payloads(capture.read_bytes())):
            write(out / "smtp_data", f"real-{capture.stem}-{n}", payload)


if __name__ == "__main__":
    main()
