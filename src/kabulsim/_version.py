"""The package's version, at the bottom of the package (imported by the layers that record it)."""

__version__ = "0.1.0"
