"""The verification pipeline: the only place that composes formats, trust and revocation."""

from vc_engine.verify.pipeline import verify

__all__ = ["verify"]
