"""Thin HTTP handlers: parse the request, call one Terminal operation, shape the answer."""
