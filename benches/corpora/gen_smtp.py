#!/usr/bin/env python3
"""Generates the SMTP benchmark corpora (deterministic; rerun to reproduce the files).

smtp-commands.txt  client command lines: EHLO, AUTH PLAIN, MAIL with parameters, RCPT lists
                   with DSN parameters, DATA, BDAT, RSET, NOOP, QUIT (payloads left out, so
                   both parsers see only command lines)
smtp-replies.txt   server replies: greetings, multi-line EHLO replies, enhanced status codes
smtp-ehlo.txt      multi-line EHLO replies only (for capability parsing)
smtp-data.txt      a 10 MiB dot-stuffed DATA payload with many dot lines, then CRLF.CRLF
"""
import base64
import random

rng = random.Random(5321)
WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike".split()


def word():
    return rng.choice(WORDS)


def domain():
    return f"{word()}{rng.randint(1, 99)}.example.{rng.choice(['org', 'com', 'net'])}"


def address():
    return f"{word()}.{word()}{rng.randint(1, 999)}@{domain()}"


def commands(target):
    out = []
    size = 0
    while size < target:
        lines = [f"EHLO {domain()}"]
        creds = f"\0{word()}@{domain()}\0{word()}{rng.randint(1000, 9999)}".encode()
        lines.append("AUTH PLAIN " + base64.b64encode(creds).decode())
        params = [f"SIZE={rng.randint(1000, 30_000_000)}", "BODY=8BITMIME"]
        if rng.random() < 0.5:
            params += ["RET=HDRS", f"ENVID={word().upper()}{rng.randint(1, 99999)}"]
        if rng.random() < 0.2:
            params.append("SMTPUTF8")
        lines.append(f"MAIL FROM:<{address()}> " + " ".join(params))
        for _ in range(rng.randint(1, 12)):
            if rng.random() < 0.4:
                rcpt = address()
                lines.append(f"RCPT TO:<{rcpt}> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;{rcpt}")
            else:
                lines.append(f"RCPT TO:<{address()}>")
        lines.append("DATA" if rng.random() < 0.6 else f"BDAT {rng.randint(100, 100000)} LAST")
        lines.append(rng.choice(["RSET", "NOOP", "QUIT"]))
        text = "".join(line + "\r\n" for line in lines)
        out.append(text)
        size += len(text)
    return "".join(out)


def ehlo():
    lines = [f"{domain()} Hello {domain()} [192.0.2.{rng.randint(1, 254)}]",
             f"SIZE {rng.randint(10_000_000, 50_000_000)}", "8BITMIME", "PIPELINING",
             "CHUNKING", "AUTH PLAIN LOGIN XOAUTH2", "ENHANCEDSTATUSCODES", "DSN",
             "SMTPUTF8", "STARTTLS", "LIMITS RCPTMAX=100 MAILMAX=10"]
    return "".join(f"250{'-' if i < len(lines) - 1 else ' '}{line}\r\n" for i, line in enumerate(lines))


def replies(target):
    out = []
    size = 0
    while size < target:
        parts = [f"220 {domain()} ESMTP ready\r\n", ehlo(), "235 2.7.0 Authentication successful\r\n",
                 "250 2.1.0 Sender OK\r\n"]
        for _ in range(rng.randint(1, 12)):
            if rng.random() < 0.1:
                parts.append(f"550 5.1.1 <{address()}>: Recipient address rejected: User unknown\r\n")
            else:
                parts.append("250 2.1.5 Recipient OK\r\n")
        parts.append("354 End data with <CR><LF>.<CR><LF>\r\n")
        parts.append(f"250 2.0.0 Ok: queued as {rng.randint(10**9, 10**10):X}\r\n")
        parts.append("221 2.0.0 Bye\r\n")
        text = "".join(parts)
        out.append(text)
        size += len(text)
    return "".join(out)


def data(target):
    lines = []
    size = 0
    while size < target:
        roll = rng.random()
        if roll < 0.15:
            line = "." + " ".join(word() for _ in range(rng.randint(0, 8)))  # a line starting with "."
        elif roll < 0.2:
            line = ""
        else:
            line = " ".join(word() for _ in range(rng.randint(3, 14)))
        if line.startswith("."):
            line = "." + line  # dot-stuffing
        lines.append(line + "\r\n")
        size += len(lines[-1])
    return "".join(lines) + ".\r\n"


if __name__ == "__main__":
    with open("smtp-commands.txt", "w", newline="") as f:
        f.write(commands(512 * 1024))
    with open("smtp-replies.txt", "w", newline="") as f:
        f.write(replies(512 * 1024))
    with open("smtp-ehlo.txt", "w", newline="") as f:
        f.write("".join(ehlo() for _ in range(1000)))
    with open("smtp-data.txt", "w", newline="") as f:
        f.write(data(10 * 1024 * 1024))
