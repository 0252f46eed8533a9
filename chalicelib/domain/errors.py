"""Errors of a data file an operator supplies: every problem found, each a line naming where it is."""

from __future__ import annotations


class DataErrors(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors
