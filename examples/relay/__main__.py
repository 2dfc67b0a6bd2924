"""Entry point: python -m relay [--config PATH]."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import threading

from . import __version__, config
from .agents import AgentRegistry
from .audit import AuditLog
from .batcher import Batcher
from .server import IngestServer
from .store import StateStore
from .upstream import AlertMailer, HttpForwarder, MetricsPusher, UpstreamError

logger = logging.getLogger("relay")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="relay")
    parser.add_argument("--config", help="path to relay.ini")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )

    settings = config.load(args.config)
    logger.info("relay %s starting (pid %d)", __version__, os.getpid())
    logger.info(f"archive sink: {settings.archive_dsn}")

    audit = AuditLog(settings.audit_path, settings.spool_dir)
    store = StateStore(settings.state_db)
    forwarder = HttpForwarder(settings)
    mailer = AlertMailer(settings)
    registry = AgentRegistry(settings.stale_after)

    def deliver(batch: list[dict]) -> None:
        try:
            forwarder.forward(batch)
        except UpstreamError as exc:
            logger.error("upstream refused a batch of %d records: %s", len(batch), exc)
            audit.spool_batch(batch)
            mailer.send_alert("upstream delivery failing", str(exc))
            return
        audit.record(
            "batch_forwarded",
            records=len(batch),
            agents=sorted({record["agent"] for record in batch}),
        )

    batcher = Batcher(settings, on_batch=deliver)
    server = IngestServer(settings, registry, batcher, store)
    threading.Thread(target=server.serve_forever, name="ingest", daemon=True).start()
    server.wait_ready()
    batcher.start()
    audit.record("relay_started", version=__version__, port=settings.listen_port)

    def collect() -> dict:
        return {
            "agents": registry.snapshot(),
            "ingest": server.stats(),
            "pending": batcher.pending(),
            "in_flight": forwarder.in_flight,
        }

    pusher = MetricsPusher(forwarder, collect, interval=30.0)
    try:
        asyncio.run(pusher.run_forever())
    except KeyboardInterrupt:
        logger.info("interrupted, shutting down")
    finally:
        server.stop()
        batcher.stop()
        store.close()
        audit.record("relay_stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
