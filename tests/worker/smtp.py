"""A small SMTP server for tests: it accepts every message (the part of RFC 5321 Django's SMTP
backend speaks) and keeps it, so a test can count what real `verka` processes sent."""

from __future__ import annotations

import contextlib
import email
import email.policy
import socketserver
import threading
from email.message import EmailMessage


class SmtpSink:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        sink = self

        class Session(socketserver.StreamRequestHandler):
            timeout = 30

            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self) -> None:
                # A sender killed mid-conversation: its message never arrived.
                with contextlib.suppress(OSError):
                    self.converse()

            def converse(self) -> None:
                self.reply("220 sink ESMTP")
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    verb = line.decode("ascii", "replace").strip().split(" ", 1)[0].upper()
                    if verb == "EHLO":
                        self.reply("250-sink")
                        self.reply("250-8BITMIME")
                        self.reply("250 SMTPUTF8")
                    elif verb == "DATA":
                        self.reply("354 go ahead")
                        self.receive()
                        self.reply("250 queued")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    elif verb in {"HELO", "MAIL", "RCPT", "RSET", "NOOP"}:
                        self.reply("250 ok")
                    else:
                        self.reply("502 not implemented")

            def receive(self) -> None:
                lines = []
                while True:
                    line = self.rfile.readline()
                    if not line or line in (b".\r\n", b".\n"):
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                message = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                with sink.lock:
                    sink.messages.append(message)  # type: ignore[arg-type]

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Session)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def received(self) -> list[EmailMessage]:
        with self.lock:
            return list(self.messages)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
