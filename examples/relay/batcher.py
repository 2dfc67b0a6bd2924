"""Collects records from all agents and hands them on in periodic batches."""

from __future__ import annotations

import logging
import threading
from typing import Callable

logger = logging.getLogger(__name__)


class Batcher:
    def __init__(self, settings, on_batch: Callable[[list[dict]], None]):
        self.on_batch = on_batch
        self.interval = settings.batch_interval
        self.max_batch_size = settings.max_batch_size
        self.batches_sent = 0
        self._lock = threading.Lock()
        self._pending: list[dict] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="batcher", daemon=True)

    def start(self) -> None:
        logger.info(
            "batching every %.1fs (at most %d records per batch)",
            self.interval,
            self.max_batch_size,
        )
        self._thread.start()

    def add(self, record: dict) -> None:
        with self._lock:
            self._pending.append(record)

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def _take(self) -> list[dict]:
        with self._lock:
            batch, self._pending = self._pending, []
        return batch

    def _run(self) -> None:
        while not self._stopping.wait(self.interval):
            self.flush()

    def flush(self) -> None:
        batch = self._take()
        if not batch:
            return
        logger.debug("flushing %d records", len(batch))
        try:
            self.on_batch(batch)
            self.batches_sent += 1
        except Exception:
            pass

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5.0)
        self.flush()
