"""A small SMTP server on 127.0.0.1 for tests and the benchmark: keeps every message, counts
the connections, can wait before each reply.

Enough of RFC 5321 for Django's SMTP backend (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT),
no TLS, no authentication. A message counts as arrived once its data is read, before the
server answers 250; ``delay`` holds that answer back, so a sender killed during the wait has
delivered a message it never heard confirmed, the case a crash leaves in doubt. The
benchmark's reminder run sends to it with 20 ms per message, a relay's usual answer time
(``bench.measure_sink``); the crash test (``tests/hardening/test_reminder_crash.py``) with
seconds.
"""

from __future__ import annotations

import email
import socketserver
import threading
import time
from email.message import Message


class _Handler(socketserver.StreamRequestHandler):
    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        server: SmtpReceiver = self.server  # type: ignore[assignment]
        if not server.connected():
            self._reply("421 too many connections")
            return
        self._reply("220 test-receiver ESMTP")
        taken = 0
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip().upper()
            if command.startswith("EHLO"):
                self.wfile.write(b"250-test-receiver\r\n250 8BITMIME\r\n")
                self.wfile.flush()
            elif command.startswith("MAIL") and taken == server.messages_per_connection:
                self._reply("421 too many messages on this connection")
                return
            elif command.startswith("DATA"):
                taken += 1
                self._reply("354 end with <CRLF>.<CRLF>")
                server.keep(self._read_data())
                time.sleep(server.delay)
                server.answered()
                self._reply("250 queued")
            elif command.startswith("QUIT"):
                self._reply("221 bye")
                return
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                self._reply("250 ok")

    def _read_data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)


class SmtpReceiver(socketserver.ThreadingTCPServer):
    """``with SmtpReceiver(delay=2) as smtp:`` serves on ``smtp.port`` in a thread.

    ``max_connections``: connections accepted in all; later ones are refused (421), as a
    relay that limits a client's connections. ``messages_per_connection``: past that many
    messages a connection is closed at the next MAIL FROM (421), as relays limit them.
    ``busiest``: the most messages that waited
    for their answer at once (how many senders were sending in parallel)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        delay: float = 0.0,
        max_connections: int | None = None,
        messages_per_connection: int | None = None,
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.delay = delay
        self.max_connections = max_connections
        self.messages_per_connection = messages_per_connection
        self.busiest = 0
        self._waiting = 0
        self._received: list[bytes] = []
        # Connections accepted so far.
        self.connections = 0
        self._lock = threading.Lock()

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def messages(self) -> list[Message]:
        """The messages received so far, parsed (here, not while the sender waits)."""
        with self._lock:
            received = list(self._received)
        return [email.message_from_bytes(data) for data in received]

    def connected(self) -> bool:
        """Count a new connection; False to refuse it."""
        with self._lock:
            if self.max_connections is not None and self.connections >= self.max_connections:
                return False
            self.connections += 1
            return True

    def keep(self, data: bytes) -> None:
        with self._lock:
            self._received.append(data)
            self._waiting += 1
            self.busiest = max(self.busiest, self._waiting)

    def answered(self) -> None:
        with self._lock:
            self._waiting -= 1

    def __enter__(self) -> SmtpReceiver:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
