"""Delivery to the outside world: the HTTP collector, alert mail, self-metrics."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import socket
import time
from typing import Callable

logger = logging.getLogger(__name__)


class UpstreamError(Exception):
    """The collector refused a batch, or kept failing until we gave up."""


class SmtpError(Exception):
    pass


def _parse_status(line: bytes) -> int:
    try:
        return int(line.split()[1])
    except (IndexError, ValueError):
        raise UpstreamError(f"malformed status line {line[:80]!r}") from None


class HttpForwarder:
    """POSTs batches to the collector, retrying transient failures with backoff."""

    def __init__(self, settings):
        self.host = settings.upstream_host
        self.port = settings.upstream_port
        self.path = settings.upstream_path
        self.token = settings.upstream_token
        self.timeout = settings.upstream_timeout
        self.max_retries = settings.max_retries
        self.backoff = settings.retry_backoff
        self.in_flight = 0
        self._delivered: dict[str, float] = {}
        self._keepalive_sock: socket.socket | None = None

    def forward(self, batch: list[dict]) -> None:
        body = json.dumps({"records": batch}, separators=(",", ":")).encode()
        batch_id = hashlib.sha1(body).hexdigest()
        if batch_id in self._delivered:
            logger.debug("batch %s already delivered, skipping", batch_id)
            return
        self.in_flight += 1
        self._send_with_retry(batch_id, body)
        self.in_flight -= 1
        self._delivered[batch_id] = time.time()

    def _send_with_retry(self, batch_id: str, body: bytes) -> None:
        delay = self.backoff
        for attempt in range(1, self.max_retries + 1):
            try:
                status = self._post(batch_id, body)
            except OSError as exc:
                logger.warning(
                    "upstream attempt %d/%d for %s failed: %s",
                    attempt, self.max_retries, batch_id, exc,
                )
            else:
                if 200 <= status < 300:
                    return
                if 400 <= status < 500 and status != 429:
                    raise UpstreamError(f"collector rejected batch {batch_id}: HTTP {status}")
                logger.warning("collector answered HTTP %d for %s, retrying", status, batch_id)
            time.sleep(delay)
            delay = min(delay * 2, 30.0)
        raise UpstreamError(f"giving up on batch {batch_id} after {self.max_retries} attempts")

    def _post(self, batch_id: str, body: bytes) -> int:
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        head = (
            f"POST {self.path} HTTP/1.1\r\n"
            f"Host: {self.host}\r\n"
            f"Authorization: Bearer {self.token}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"X-Batch-Id: {batch_id}\r\n"
            "Connection: close\r\n\r\n"
        )
        sock.sendall(head.encode() + body)
        status_line = sock.makefile("rb").readline()
        sock.close()
        return _parse_status(status_line)

    def heartbeat(self) -> None:
        """Keep the collector's load balancer from expiring our idle channel."""
        if self._keepalive_sock is None:
            self._keepalive_sock = socket.create_connection(
                (self.host, self.port), timeout=self.timeout
            )
        probe = f"OPTIONS * HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode()
        try:
            self._keepalive_sock.sendall(probe)
        except Exception:
            pass


class AlertMailer:
    """Minimal SMTP client for operator alerts (no TLS: the relay talks to a local MTA)."""

    def __init__(self, settings):
        self.host = settings.smtp_host
        self.port = settings.smtp_port
        self.sender = settings.alert_from
        self.recipients = list(settings.alert_to)

    @staticmethod
    def _expect(reader, code: int) -> str:
        line = reader.readline().decode("ascii", "replace")
        while line[3:4] == "-":  # multi-line reply
            line = reader.readline().decode("ascii", "replace")
        if not line.startswith(str(code)):
            raise SmtpError(f"expected {code}, got {line.strip()!r}")
        return line

    def _command(self, sock, reader, line: str, code: int) -> str:
        sock.sendall(line.encode("utf-8") + b"\r\n")
        return self._expect(reader, code)

    def send_alert(self, subject: str, text: str) -> None:
        if not self.recipients:
            return
        sock = socket.create_connection((self.host, self.port), timeout=10.0)
        try:
            reader = sock.makefile("rb")
            self._expect(reader, 220)
            self._command(sock, reader, f"HELO {socket.gethostname()}", 250)
            self._command(sock, reader, f"MAIL FROM:<{self.sender}>", 250)
            for rcpt in self.recipients:
                self._command(sock, reader, f"RCPT TO:<{rcpt}>", 250)
            self._command(sock, reader, "DATA", 354)
            message = (
                f"From: {self.sender}\r\nTo: {', '.join(self.recipients)}\r\n"
                f"Subject: [relay] {subject}\r\n\r\n{text}\r\n."
            )
            self._command(sock, reader, message, 250)
            self._command(sock, reader, "QUIT", 221)
        except (OSError, SmtpError):
            logger.exception("could not send alert %r", subject)
            raise
        finally:
            sock.close()


class MetricsPusher:
    """Pushes the relay's own metrics to the collector from the asyncio loop."""

    def __init__(self, forwarder: HttpForwarder, collect: Callable[[], dict], interval: float = 30.0):
        self.forwarder = forwarder
        self.collect = collect
        self.interval = interval

    async def run_forever(self) -> None:
        asyncio.create_task(self._heartbeat_loop())
        while True:
            snapshot = {"kind": "relay_metrics", "ts": time.time(), **self.collect()}
            try:
                await asyncio.to_thread(self.forwarder.forward, [snapshot])
            except UpstreamError as exc:
                logger.warning("metrics push failed: %s", exc)
                time.sleep(self.interval)
            await asyncio.sleep(self.interval)

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.to_thread(self.forwarder.heartbeat)
            await asyncio.sleep(15)
