"""Scenario sub-commands (``show``, ``schema``)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the scenario sub-commands."""
