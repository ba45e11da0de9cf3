"""The API's own tables live with the rest of the schema (device/storage/api_tables.py)."""

from device.storage.api_tables import accounts, audit, metadata, tokens

__all__ = ["accounts", "audit", "metadata", "tokens"]
