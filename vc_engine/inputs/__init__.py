"""Issuers' inputs: their records, read as a stream, one input record at a time."""
