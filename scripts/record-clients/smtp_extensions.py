#!/usr/bin/env python3
"""Raw SMTP session with ESMTP parameters, for scripts/record-fixtures.sh.

Usage: smtp_extensions.py PORT USER PASSWORD
NOOP, HELP, VRFY, RSET, SIZE/BODY=8BITMIME/SMTPUTF8/DSN parameters (RET, ENVID, NOTIFY,
ORCPT), a UTF-8 message, dot-stuffing, then QUIT.
"""
import base64
import socket
import sys

port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
sock = socket.create_connection(("127.0.0.1", port))
reader = sock.makefile("rb")


def reply():
    while True:
        line = reader.readline()
        if not line or line[3:4] != b"-":
            return line


def send(line):
    sock.sendall(line + b"\r\n")
    return reply()


reply()
send(b"EHLO client.example.test")
send(b"NOOP")
send(b"HELP")
send(b"VRFY alice")
token = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode())
send(b"AUTH PLAIN " + token)
send(b"MAIL FROM:<alice@example.test> SIZE=300 BODY=8BITMIME")
send(b"RSET")
send(b"MAIL FROM:<alice@example.test> BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ314159")
send(b"RCPT TO:<bob@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@example.test")
send(b"RCPT TO:<alice@example.test> NOTIFY=NEVER")
send(b"DATA")
body = ("From: Ålice <alice@example.test>\r\nTo: bob@example.test\r\n"
        "Subject: Grüße aus Zürich\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "Grüße!\r\n..a line that starts with a dot (stuffed)\r\n.\r\n").encode()
sock.sendall(body)
reply()
send(b"QUIT")
sock.close()
