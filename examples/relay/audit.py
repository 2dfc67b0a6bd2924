"""Append-only audit trail (JSON lines) plus a spool for undeliverable batches."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid

logger = logging.getLogger(__name__)


class AuditLog:
    def __init__(self, path: str, spool_dir: str):
        self.path = path
        self.spool_dir = spool_dir
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        os.makedirs(spool_dir, exist_ok=True)

    def record(self, event: str, **fields) -> None:
        entry = {"ts": round(time.time(), 3), "event": event}
        entry.update(fields)
        self._write_event(entry)

    def _write_event(self, entry: dict) -> None:
        line = json.dumps(entry, sort_keys=True, default=str)
        lock = threading.Lock()
        with lock:
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")

    def spool_batch(self, batch: list[dict]) -> str:
        """Keep a batch the collector refused, so an operator can replay it."""
        name = f"{int(time.time())}-{uuid.uuid4().hex[:12]}.json"
        final = os.path.join(self.spool_dir, name)
        tmp = final + ".part"
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(batch, fh)
            os.rename(tmp, final)
        except Exception:
            pass
        self.record("batch_spooled", file=name, records=len(batch))
        return final

    def replay_spool(self, forward) -> int:
        """Re-send spooled batches, oldest first; stop at the first failure."""
        replayed = 0
        for name in sorted(os.listdir(self.spool_dir)):
            if not name.endswith(".json"):
                continue
            path = os.path.join(self.spool_dir, name)
            with open(path, encoding="utf-8") as fh:
                batch = json.load(fh)
            try:
                forward(batch)
            except Exception:
                logger.exception("replay of %s failed; leaving it spooled", name)
                raise
            os.unlink(path)
            self.record("batch_replayed", file=name, records=len(batch))
            replayed += 1
        return replayed
