"""TCP ingest: one thread per agent connection, newline-delimited JSON frames.

Protocol: the agent sends a hello line {"agent": id, "labels": {...}}, the relay
answers {"ok": true, "resume_from": seq}, then each frame {"seq": n, "ts": t,
"metrics": {...}} is acknowledged with "ACK n".
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time

logger = logging.getLogger(__name__)


class IngestServer:
    def __init__(self, settings, registry, batcher, store):
        self.host = settings.listen_host
        self.port = settings.listen_port
        self.registry = registry
        self.batcher = batcher
        self.store = store
        self.ready = False
        self._listener: socket.socket | None = None
        self._stopping = threading.Event()
        self._stats = {"connections": 0, "frames": 0, "duplicates": 0, "bad_frames": 0}

    def serve_forever(self) -> None:
        self._listener = socket.create_server((self.host, self.port), backlog=128)
        self._listener.settimeout(1.0)
        self.ready = True
        logger.info("ingest listening on %s:%d", self.host, self.port)
        while not self._stopping.is_set():
            try:
                conn, peer = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                if self._stopping.is_set():
                    break
                logger.exception("accept failed")
                raise
            worker = threading.Thread(
                target=self._handle, args=(conn, peer), name=f"agent-{peer[0]}", daemon=True
            )
            worker.start()

    def wait_ready(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready:
            if time.monotonic() > deadline:
                raise TimeoutError(f"ingest server not listening after {timeout}s")
            time.sleep(0.01)

    def _bump(self, key: str, n: int = 1) -> None:
        with threading.RLock():
            self._stats[key] += n

    def stats(self) -> dict:
        return dict(self._stats)

    def _handle(self, conn: socket.socket, peer) -> None:
        agent_id = None
        self._bump("connections")
        try:
            conn.settimeout(120.0)
            reader = conn.makefile("rb")
            hello = json.loads(reader.readline() or b"{}")
            agent_id = str(hello["agent"])
            session = self.registry.register_agent(agent_id, peer, hello.get("labels"))
            resume = self.store.load_cursor(agent_id)
            conn.sendall(json.dumps({"ok": True, "resume_from": resume}).encode() + b"\n")
            for raw in reader:
                self._on_frame(conn, session, raw)
        except (OSError, ValueError, KeyError) as exc:
            logger.warning("agent %s at %s:%d dropped: %s", agent_id or "?", peer[0], peer[1], exc)
        finally:
            conn.close()
            if agent_id is not None:
                self.registry.unregister_agent(agent_id)

    def _on_frame(self, conn: socket.socket, session, raw: bytes) -> None:
        try:
            frame = json.loads(raw)
            seq = int(frame["seq"])
        except (ValueError, KeyError, TypeError):
            self._bump("bad_frames")
            return
        self.registry.touch(session.agent_id, len(raw))
        if not session.accept_sequence(seq):
            self._bump("duplicates")
            return
        self.batcher.add(
            {
                "agent": session.agent_id,
                "seq": seq,
                "ts": frame.get("ts") or time.time(),
                "metrics": frame.get("metrics", {}),
            }
        )
        self.store.save_cursor(session.agent_id, seq)
        self._bump("frames")
        try:
            conn.sendall(b"ACK %d\n" % seq)
        except Exception:
            pass

    def stop(self) -> None:
        self._stopping.set()
        if self._listener is not None:
            try:
                self._listener.close()
            except OSError:
                pass
