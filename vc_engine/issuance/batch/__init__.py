"""Batch issuance: scheduling, the journal and the outputs on top of the per-block issuance."""
