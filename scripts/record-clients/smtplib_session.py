#!/usr/bin/env python3
"""Python smtplib sessions for scripts/record-fixtures.sh: MODE PORT USER PASSWORD FROM TO.

MODE: submit (EHLO, AUTH, MAIL, RCPT, DATA), pipelining (one write of MAIL/RCPT/DATA),
bdat (CHUNKING: two BDAT chunks), lmtp (LHLO, MAIL, three RCPT (one unknown), DATA to an LMTP server).
"""
import smtplib
import socket
import sys

mode, port = sys.argv[1], int(sys.argv[2])
user, password, sender, rcpt = sys.argv[3:7]
message = (
    f"From: {sender}\r\nTo: {rcpt}\r\nSubject: groupwire {mode} test\r\n"
    "Message-ID: <" + mode + "@groupwire.test>\r\n\r\n"
    "Hello from the groupwire recorder.\r\n.leading dot is stuffed\r\n"
)


def read_reply(sock_file):
    lines = []
    while True:
        line = sock_file.readline()
        lines.append(line)
        if len(line) < 4 or line[3:4] != b"-":
            return lines


if mode == "submit":
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.example.test")
    s.ehlo()
    s.login(user, password)
    s.sendmail(sender, [rcpt], message.encode())
    s.quit()
elif mode == "lmtp":
    # LMTP answers DATA once per accepted recipient; an unknown one is refused at RCPT.
    s = smtplib.LMTP("127.0.0.1", port, local_hostname="client.example.test")
    s.sendmail(sender, [rcpt, "bob@example.test", "nobody@example.test"], message.encode())
    s.quit()
else:
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.example.test")
    s.ehlo()
    s.login(user, password)
    sock = s.sock
    f = sock.makefile("rb")
    if mode == "pipelining":
        sock.sendall(f"MAIL FROM:<{sender}>\r\nRCPT TO:<{rcpt}>\r\nDATA\r\n".encode())
        for _ in range(3):
            read_reply(f)
        body = message.replace("\r\n.", "\r\n..")
        sock.sendall(body.encode() + b".\r\n")
        read_reply(f)
    elif mode == "bdat":
        sock.sendall(f"MAIL FROM:<{sender}> BODY=8BITMIME\r\nRCPT TO:<{rcpt}>\r\n".encode())
        read_reply(f)
        read_reply(f)
        data = message.encode()
        half = len(data) // 2
        sock.sendall(b"BDAT %d\r\n" % half + data[:half])
        read_reply(f)
        sock.sendall(b"BDAT %d LAST\r\n" % (len(data) - half) + data[half:])
        read_reply(f)
    else:
        sys.exit("unknown mode " + mode)
    sock.sendall(b"QUIT\r\n")
    read_reply(f)
    sock.close()
