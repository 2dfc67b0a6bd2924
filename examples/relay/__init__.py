"""relay: accepts telemetry from agents, batches it and forwards it upstream."""

__version__ = "1.4.2"

__all__ = ["__version__"]
