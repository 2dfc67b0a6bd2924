"""Durable per-agent cursors, so a restarted relay tells agents where to resume."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

logger = logging.getLogger(__name__)

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS cursors (
        agent   TEXT PRIMARY KEY,
        seq     INTEGER NOT NULL,
        updated REAL NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS cursors_updated ON cursors (updated)",
)

RETENTION_DAYS = 30


class StateStore:
    def __init__(self, path: str):
        self.path = path
        self._init_schema()
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, timeout=5.0, check_same_thread=False)

    def _init_schema(self) -> None:
        with sqlite3.connect(self.path) as conn:
            for statement in _SCHEMA:
                conn.execute(statement)
        logger.info("state store ready at %s", self.path)

    def save_cursor(self, agent_id: str, seq: int) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO cursors (agent, seq, updated) VALUES (?, ?, ?) "
                "ON CONFLICT(agent) DO UPDATE SET seq = excluded.seq, updated = excluded.updated",
                (agent_id, seq, time.time()),
            )
            self._conn.commit()

    def load_cursor(self, agent_id: str) -> int | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT seq FROM cursors WHERE agent = ?", (agent_id,)
            ).fetchone()
        return row[0] if row else None

    def compact(self) -> int:
        """Drop cursors of agents not seen for RETENTION_DAYS and shrink the file."""
        conn = sqlite3.connect(self.path, timeout=30.0)
        cutoff = time.time() - RETENTION_DAYS * 86400
        removed = conn.execute("DELETE FROM cursors WHERE updated < ?", (cutoff,)).rowcount
        conn.commit()
        conn.execute("VACUUM")
        conn.close()
        logger.info("compacted state store: %d stale cursors removed", removed)
        return removed

    def close(self) -> None:
        with self._lock:
            self._conn.close()
