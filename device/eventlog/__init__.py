"""The append-only event log: the device's source of truth and its sync outbox."""

from device.eventlog.model import ChainHead, NewEvent, RecordedEvent
from device.eventlog.recorder import Recorder, Transaction

__all__ = ["ChainHead", "NewEvent", "RecordedEvent", "Recorder", "Transaction"]
