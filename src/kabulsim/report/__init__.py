"""A self-contained HTML report of a run or a comparison (one file, no network)."""

from kabulsim.report.html import SECTIONS, build_report, scenario_changes, write_report

__all__ = ["SECTIONS", "build_report", "scenario_changes", "write_report"]
