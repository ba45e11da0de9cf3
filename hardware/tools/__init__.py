"""Implementations of the ``python -m hardware`` commands (one module per command)."""
