"""Stub: built by a later issue."""
