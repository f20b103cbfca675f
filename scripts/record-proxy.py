#!/usr/bin/env python3
"""Record protocol sessions byte-exactly, and split recorded HTTP into bodies.

  record-proxy.py proxy --target HOST:PORT --out PREFIX [--listen-port N] [--port-file F]
      TCP man-in-the-middle on 127.0.0.1: forwards each accepted connection to the target and
      writes the exact bytes of connection k to PREFIX.client / PREFIX.server (k = 1) or
      PREFIX-kk.client / PREFIX-kk.server (k > 1, two digits). Prints PORT=<port> on stdout when listening
      (and writes it to --port-file). Runs until SIGTERM/SIGINT. Plaintext only: record TLS
      sessions against the server's plaintext port.

  record-proxy.py split-http PREFIX OUTDIR
      Splits PREFIX.client / PREFIX.server (HTTP/1.1, possibly several exchanges on one
      connection; Content-Length or chunked bodies) into OUTDIR/<name>-<nn>-request.<ext> and
      -response.<ext>, where <ext> follows the Content-Type (xml, ics, vcf, txt). Bodiless
      messages are skipped; gzip/deflate Content-Encoding is decoded in the split files (the
      raw .client/.server pair keeps the bytes as sent). Prints the files written.
"""

import argparse
import gzip
import os
import selectors
import signal
import socket
import sys
import threading
import zlib


def relay(client, upstream, client_log, server_log):
    """Copy both directions until both sides closed; log every byte in order of arrival."""
    sel = selectors.DefaultSelector()
    sel.register(client, selectors.EVENT_READ, (upstream, client_log))
    sel.register(upstream, selectors.EVENT_READ, (client, server_log))
    open_sides = 2
    while open_sides:
        for key, _ in sel.select():
            source = key.fileobj
            sink, log = key.data
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            if not data:
                sel.unregister(source)
                open_sides -= 1
                try:
                    sink.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                continue
            log.write(data)
            log.flush()
            try:
                sink.sendall(data)
            except OSError:
                pass
    client.close()
    upstream.close()


def proxy(args):
    host, port = args.target.rsplit(":", 1)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.listen_port))
    listener.listen(16)
    listen_port = listener.getsockname()[1]
    if args.port_file:
        with open(args.port_file, "w") as handle:
            handle.write(f"{listen_port}\n")
    print(f"PORT={listen_port}", flush=True)
    stop = threading.Event()

    def on_signal(_sig, _frame):
        stop.set()
        listener.close()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    threads = []
    count = 0
    while not stop.is_set():
        try:
            client, _ = listener.accept()
        except OSError:
            break
        count += 1
        prefix = args.out if count == 1 else f"{args.out}-{count:02d}"
        upstream = socket.create_connection((host, int(port)))
        client_log = open(prefix + ".client", "wb")
        server_log = open(prefix + ".server", "wb")
        thread = threading.Thread(target=relay, args=(client, upstream, client_log, server_log),
                                  daemon=True)
        thread.start()
        threads.append((thread, client_log, server_log))
    for thread, client_log, server_log in threads:
        thread.join(timeout=5)
        client_log.close()
        server_log.close()


def parse_messages(data, is_response):
    """[(start_line, headers dict (lower-case names), body bytes)] from a raw HTTP stream."""
    messages = []
    pos = 0
    while pos < len(data):
        end = data.find(b"\r\n\r\n", pos)
        if end < 0:
            break
        head = data[pos:end].decode("iso-8859-1").split("\r\n")
        start_line, headers = head[0], {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        pos = end + 4
        body = b""
        if "chunked" in headers.get("transfer-encoding", "").lower():
            while True:
                line_end = data.find(b"\r\n", pos)
                if line_end < 0:
                    break
                size = int(data[pos:line_end].split(b";")[0] or b"0", 16)
                pos = line_end + 2
                if size == 0:
                    trailer_end = data.find(b"\r\n", pos)
                    pos = (trailer_end + 2) if trailer_end >= 0 else len(data)
                    break
                body += data[pos:pos + size]
                pos += size + 2
        elif "content-length" in headers:
            length = int(headers["content-length"])
            body = data[pos:pos + length]
            pos += length
        elif is_response:
            # no length: 1xx, 204 and 304 have no body, anything else runs to the close
            status = start_line.split(" ")[1] if " " in start_line else ""
            if not status.startswith("1") and status not in ("204", "304"):
                body = data[pos:]
                pos = len(data)
        messages.append((start_line, headers, body))
    return messages


def extension(content_type):
    ct = content_type.lower()
    if "xml" in ct:
        return "xml"
    if "calendar" in ct:
        return "ics"
    if "vcard" in ct:
        return "vcf"
    if "html" in ct:
        return "html"
    return "txt"


def split_http(args):
    prefix, outdir = args.prefix, args.outdir
    os.makedirs(outdir, exist_ok=True)
    name = os.path.basename(prefix)
    with open(prefix + ".client", "rb") as handle:
        requests = parse_messages(handle.read(), False)
    with open(prefix + ".server", "rb") as handle:
        responses = [r for r in parse_messages(handle.read(), True)
                     if not r[0].split(" ")[1:2] or not r[0].split(" ")[1].startswith("1")]
    for index, (request, response) in enumerate(zip(requests, responses + [None] * len(requests)),
                                                start=1):
        for kind, message in (("request", request), ("response", response)):
            if not message or not message[2]:
                continue
            body = message[2]
            encoding = message[1].get("content-encoding", "").lower()
            if encoding in ("gzip", "x-gzip"):
                body = gzip.decompress(body)
            elif encoding == "deflate":
                body = zlib.decompress(body)
            ext = extension(message[1].get("content-type", ""))
            path = os.path.join(outdir, f"{name}-{index:02d}-{kind}.{ext}")
            with open(path, "wb") as handle:
                handle.write(body)
            print(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("proxy")
    p.add_argument("--target", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--listen-port", type=int, default=0)
    p.add_argument("--port-file")
    s = sub.add_parser("split-http")
    s.add_argument("prefix")
    s.add_argument("outdir")
    args = parser.parse_args()
    if args.command == "proxy":
        proxy(args)
    else:
        split_http(args)


if __name__ == "__main__":
    sys.exit(main())
