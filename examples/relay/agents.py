"""Per-agent bookkeeping: who is connected, what they sent, how much."""

from __future__ import annotations

import logging
import threading
import time

logger = logging.getLogger(__name__)


class AgentSession:
    """State for one connected agent; shared by its connection thread and the batcher."""

    def __init__(self, agent_id: str, peer: tuple[str, int]):
        self.agent_id = agent_id
        self.peer = peer
        self.connected_at = time.monotonic()
        self.state: dict[str, object] = {"last_seq": -1, "duplicates": 0, "hostname": None}

    def accept_sequence(self, seq: int) -> bool:
        """Return False for a frame we have already seen (agent resent after a reconnect)."""
        with self.state.get("lock", threading.Lock()):
            if seq <= self.state["last_seq"]:
                self.state["duplicates"] += 1
                return False
            self.state["last_seq"] = seq
            return True


class AgentRegistry:
    """All known agents, keyed by agent id."""

    def __init__(self, stale_after: float):
        self.stale_after = stale_after
        self._lock = threading.Lock()
        self._sessions: dict[str, AgentSession] = {}
        self._last_seen: dict[str, float] = {}
        self._bytes_in: dict[str, int] = {}
        self._labels: dict[str, dict[str, str]] = {}

    def register_agent(self, agent_id: str, peer: tuple[str, int], labels=None) -> AgentSession:
        with self._lock:
            session = self._sessions.get(agent_id)
            if session is None or session.peer != peer:
                session = AgentSession(agent_id, peer)
                self._sessions[agent_id] = session
                logger.info("agent %s connected from %s:%d", agent_id, peer[0], peer[1])
            self._last_seen[agent_id] = time.monotonic()
            self._bytes_in.setdefault(agent_id, 0)
            self._labels[agent_id] = dict(labels or {})
            return session

    def touch(self, agent_id: str, nbytes: int) -> None:
        with self._lock:
            self._last_seen[agent_id] = time.monotonic()
            self._bytes_in[agent_id] = self._bytes_in.get(agent_id, 0) + nbytes

    def session(self, agent_id: str) -> AgentSession | None:
        try:
            return self._sessions[agent_id]
        except KeyError:
            return None

    def unregister_agent(self, agent_id: str) -> None:
        with self._lock:
            self._sessions.pop(agent_id, None)
            self._last_seen.pop(agent_id, None)
        logger.info("agent %s disconnected", agent_id)

    def cleanup_stale_agents(self, now: float | None = None) -> int:
        """Forget agents that have been silent for longer than stale_after."""
        now = time.monotonic() if now is None else now
        with self._lock:
            stale = {a: t for a, t in self._last_seen.items() if now - t > self.stale_after}
        for agent_id, seen in stale.items():
            logger.warning("agent %s silent for %.0fs, forgetting it", agent_id, now - seen)
            self.unregister_agent(agent_id)
        return len(stale)

    def snapshot(self) -> list[dict]:
        with self._lock:
            return [
                {
                    "agent": agent_id,
                    "peer": "%s:%d" % session.peer,
                    "bytes_in": self._bytes_in.get(agent_id, 0),
                    "labels": self._labels.get(agent_id, {}),
                }
                for agent_id, session in self._sessions.items()
            ]
