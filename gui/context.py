"""What the screens share: the door, sizes, the signal bridge, the log watcher, the PIN gate."""

from __future__ import annotations

from dataclasses import dataclass

from device.terminal import Terminal
from gui.admin_pin import PinGate
from gui.bridge import CallBridge, ServiceBridge
from gui.door import GuiDoor
from gui.names import NameBook
from gui.theme import Metrics
from gui.watcher import LogWatcher


@dataclass
class Context:
    door: GuiDoor
    m: Metrics
    bridge: ServiceBridge
    calls: CallBridge
    watcher: LogWatcher
    names: NameBook
    pins: PinGate

    @property
    def terminal(self) -> Terminal:
        return self.door.terminal
