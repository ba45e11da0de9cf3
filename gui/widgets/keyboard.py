"""An on-screen keyboard for staff ids, names and searches (no physical keyboard needed).

It types into whichever QLineEdit has the focus; its keys never take the focus. Chinese
names need an input method: a USB keyboard with the system IME (Qt's ibus plugin), or
names arrive through sync / the HTTP API.
"""

from __future__ import annotations

from PyQt5.QtCore import QEvent, QObject, Qt
from PyQt5.QtWidgets import QApplication, QGridLayout, QLineEdit, QPushButton, QWidget

from gui.theme import Metrics
from gui.widgets.common import button

ROWS = ("1234567890-", "qwertyuiop.", "asdfghjkl_⌫", "⇧zxcvbnm␣✓")
SHIFT, DELETE, SPACE, HIDE = "⇧", "⌫", "␣", "✓"


class Keyboard(QWidget):
    def __init__(self, m: Metrics, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(m.px(3))
        self.shift = False
        self.keys: dict[str, QPushButton] = {}
        for row, keys in enumerate(ROWS):
            for col, key in enumerate(keys):
                widget = button(key, role="key", checkable=key == SHIFT)
                widget.setFixedHeight(m.px(33))
                widget.clicked.connect(lambda _=False, k=key: self.press(k))
                grid.addWidget(widget, row, col)
                self.keys[key] = widget
        self.setFocusPolicy(Qt.NoFocus)

    def attach(self, *fields: QLineEdit) -> None:
        """Show the keyboard whenever one of these fields gets the focus."""
        for field in fields:
            field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.FocusIn, QEvent.MouseButtonPress):
            self.show()  # a tap on the field brings the keyboard back after ✓ hid it
        return False

    def press(self, key: str) -> None:
        # the window's focus widget: the field keeps it even while the window is inactive
        target = QApplication.focusWidget() or self.window().focusWidget()
        if key == SHIFT:
            self.shift = not self.shift
            self.keys[SHIFT].setChecked(self.shift)
            for k, widget in self.keys.items():
                if k.isalpha() and len(k) == 1 and k.isascii():
                    widget.setText(k.upper() if self.shift else k)
            return
        if key == HIDE:
            if target is not None:
                target.clearFocus()
            self.hide()
            return
        if not isinstance(target, QLineEdit):
            return
        if key == DELETE:
            target.backspace()
        elif key == SPACE:
            target.insert(" ")
        else:
            target.insert(key.upper() if self.shift else key)
            if self.shift:
                self.press(SHIFT)  # one capital, like a phone keyboard
