"""The admin home: six big tiles and a log-out button."""

from __future__ import annotations

from PyQt5.QtCore import pyqtSignal
from PyQt5.QtWidgets import QGridLayout, QPushButton, QSizePolicy

from gui.context import Context
from gui.i18n import tr
from gui.screens.base import Screen
from gui.widgets.common import button

TILES = ("enrol", "people", "punches", "alerts", "settings", "info")


class AdminMenuScreen(Screen):
    name = "admin"
    open_screen = pyqtSignal(str)
    logout = pyqtSignal()

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx.m)
        self.ctx = ctx
        m = ctx.m
        layout = self.column_with_header(self.logout)
        grid = QGridLayout()
        grid.setContentsMargins(m.px(8), m.px(8), m.px(8), m.px(8))
        grid.setSpacing(m.px(8))
        self.tiles: dict[str, QPushButton] = {}
        for i, key in enumerate(TILES):
            tile = button("", role="tile")
            tile.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
            tile.clicked.connect(lambda _=False, k=key: self.open_screen.emit(k))
            grid.addWidget(tile, i // 3, i % 3)
            self.tiles[key] = tile
        layout.addLayout(grid, 1)
        self.data: int | None = None  # open alerts

    def retranslate(self) -> None:
        self.header.back.setText(tr("logout"))
        self.header.title.setText(tr("admin"))
        for key, tile in self.tiles.items():
            tile.setText(tr(f"menu_{key}"))
        if self.data:
            self.tiles["alerts"].setText(tr("alerts_open", n=self.data))

    def present(self) -> None:
        self.retranslate()
