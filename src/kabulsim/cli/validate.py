"""``kabulsim validate``: the baseline Monte Carlo against the facts of the record."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``validate`` sub-command."""
