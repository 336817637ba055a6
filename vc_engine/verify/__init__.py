"""The verification pipeline: the only place that composes formats, trust and revocation."""

from vc_engine.verify.pipeline import verify
from vc_engine.verify.related import check_bound_pdf

__all__ = ["check_bound_pdf", "verify"]
