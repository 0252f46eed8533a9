"""Partial batch failures for SQS consumers: each record succeeds or fails on its own."""

from chalicelib.batch.sqs import process_batch

__all__ = ["process_batch"]
