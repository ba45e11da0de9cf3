"""What the screens share: the door, sizes, the signal bridge, the log watcher, the PIN gate,
the navigation model and the sealed-image worker."""

from __future__ import annotations

from dataclasses import dataclass

from device.terminal import Terminal
from gui.admin_pin import PinGate
from gui.bridge import CallBridge, ServiceBridge
from gui.door import GuiDoor
from gui.names import NameBook
from gui.navigation import Navigation
from gui.sealed_images import SealedImages
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
    nav: Navigation
    images: SealedImages

    @property
    def terminal(self) -> Terminal:
        return self.door.terminal

    def written(self) -> None:
        """A screen appended to the log: the watcher notices at once (and the model reloads
        the visible screen if it follows the log), else the visible screen reloads."""
        before = self.watcher.heads
        if self.watcher.poke() == before:
            self.nav.reload()
