"""Enrol: staff id and name, then a guided capture of a few photos at the camera."""

from __future__ import annotations

from enum import StrEnum

from PyQt5.QtCore import Qt, QTimer, pyqtSignal
from PyQt5.QtWidgets import QHBoxLayout, QLineEdit, QStackedWidget, QVBoxLayout, QWidget

from device.errors import AlreadyEnrolled, PhotoRefused
from device.messages import problem_text
from device.terminal import EnrolResult
from gui.context import Context
from gui.enrol_session import Guidance, Hint
from gui.enrol_worker import EnrolWorker
from gui.i18n import language, tr
from gui.screens.base import Screen
from gui.theme import OK_COLOUR, WARN_COLOUR
from gui.widgets.common import button, label, set_tone
from gui.widgets.keyboard import Keyboard
from gui.widgets.video import Overlay, VideoView

PREVIEW_MS = 40
GOOD_HINTS = {Hint.GOOD, Hint.CAPTURED, Hint.DONE}


class Stage(StrEnum):
    FORM = "form"
    CAMERA = "camera"
    SAVING = "saving"
    DONE = "done"


class EnrolScreen(Screen):
    name = "enrol"
    back = pyqtSignal()
    enrolled = pyqtSignal(object)  # EnrolResult

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx.m)
        self.ctx = ctx
        layout = self.column_with_header(self._back)
        self.header.action.clicked.connect(self.start_capture)
        self.pages = QStackedWidget()
        layout.addWidget(self.pages, 1)
        self.pages.addWidget(self._form_page())
        self.pages.addWidget(self._camera_page())
        self.pages.addWidget(self._done_page())
        self.stage = Stage.FORM
        self.guidance: Guidance | None = None
        self.outcome: EnrolResult | Exception | None = None
        self.worker = EnrolWorker(ctx.door, ctx.calls, self.on_guidance, self.on_saving,
                                  self.on_finished)
        self._last_seq = 0
        self.timer = QTimer(self)
        self.timer.setInterval(PREVIEW_MS)
        self.timer.timeout.connect(self._preview)

    # -- pages ---------------------------------------------------------------------------

    def _form_page(self) -> QWidget:
        m = self.m
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(m.px(6), m.px(6), m.px(6), m.px(6))
        col.setSpacing(m.px(4))
        row = QHBoxLayout()
        self.staff_id = QLineEdit()
        self.person_name = QLineEdit()
        row.addWidget(self.staff_id, 2)
        row.addWidget(self.person_name, 3)
        col.addLayout(row)
        self.form_message = label("", tone="bad")
        col.addWidget(self.form_message)
        col.addStretch(1)
        self.keyboard = Keyboard(m)
        self.keyboard.attach(self.staff_id, self.person_name)
        col.addWidget(self.keyboard)
        return page

    def _camera_page(self) -> QWidget:
        m = self.m
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, m.px(6), 0)
        row.setSpacing(m.px(6))
        self.video = VideoView(m)
        row.addWidget(self.video, 1)
        side = QVBoxLayout()
        side.setSpacing(m.px(6))
        self.who = label("", role="muted", wrap=True)
        self.hint = label("", role="hint", wrap=True)
        self.progress = label("", role="title")
        self.dots = label("", role="big")
        side.addWidget(self.who)
        side.addStretch(1)
        side.addWidget(self.hint)
        side.addWidget(self.dots)
        side.addWidget(self.progress)
        side.addStretch(1)
        holder = QWidget()
        holder.setFixedWidth(m.px(150))
        holder.setLayout(side)
        row.addWidget(holder)
        return page

    def _done_page(self) -> QWidget:
        m = self.m
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(m.px(12), m.px(12), m.px(12), m.px(12))
        self.done_message = label("", role="title", wrap=True, align=Qt.AlignCenter)
        col.addStretch(1)
        col.addWidget(self.done_message)
        col.addStretch(1)
        buttons = QHBoxLayout()
        self.again = button("")
        self.again.clicked.connect(self.reset)
        self.finish = button("", tone="ok")
        self.finish.clicked.connect(self._back)
        buttons.addWidget(self.again)
        buttons.addWidget(self.finish)
        col.addLayout(buttons)
        return page

    # -- screen --------------------------------------------------------------------------

    def shot_name(self) -> str:
        return f"enrol-{self.stage.value}"

    def ready_for_shot(self) -> bool:
        """For screenshots: the camera page once a face is framed."""
        return self.stage is not Stage.CAMERA or bool(self.video.overlays)

    def entered(self) -> None:
        self.reset()

    def left(self) -> None:
        self.worker.cancel(wait=0)
        self.timer.stop()

    def reset(self) -> None:
        self.worker.cancel(wait=0)
        self.timer.stop()
        self.staff_id.clear()
        self.person_name.clear()
        self.form_message.clear()
        self._go(Stage.FORM)

    def retranslate(self) -> None:
        self.header.title.setText(tr("menu_enrol"))
        self.header.back.setText(tr("back"))
        self.header.action.setText(tr("enrol_start") + " ▶")
        self.staff_id.setPlaceholderText(tr("field_staff_id"))
        self.person_name.setPlaceholderText(tr("field_name"))
        self.again.setText(tr("enrol_another"))
        self.finish.setText(tr("done"))
        self._show_guidance()
        self._show_outcome()

    def _go(self, stage: Stage) -> None:
        self.stage = stage
        self.pages.setCurrentIndex({Stage.FORM: 0, Stage.CAMERA: 1, Stage.SAVING: 1,
                                    Stage.DONE: 2}[stage])
        self.header.action.setVisible(stage is Stage.FORM)
        self.header.back.setEnabled(stage is not Stage.SAVING)
        if stage is Stage.FORM:
            self.keyboard.show()
            self.staff_id.setFocus()

    def _back(self) -> None:
        if self.stage is Stage.CAMERA:
            self.worker.cancel(wait=0)
            self.timer.stop()
            self._go(Stage.FORM)
            return
        self.back.emit()

    # -- capture -------------------------------------------------------------------------

    def start_capture(self) -> None:
        person_id, name = self.staff_id.text().strip(), self.person_name.text().strip()
        if not person_id or not name:
            self.form_message.setText(tr("enrol_missing"))
            return
        self.form_message.clear()
        self.guidance = None
        self.outcome = None
        self.who.setText(f"{name}\n{person_id}")
        self._last_seq = 0
        self.video.clear()
        self._go(Stage.CAMERA)
        self._show_guidance()
        self.timer.start()
        self.worker.start(person_id, name)

    def _preview(self) -> None:
        frame = self.ctx.door.camera.latest()
        if frame is not None and frame.seq != self._last_seq:
            self._last_seq = frame.seq
            self.video.set_frame(frame.image)

    def on_guidance(self, guidance: Guidance) -> None:
        if self.stage is not Stage.CAMERA:
            return
        self.guidance = guidance
        colour = OK_COLOUR if guidance.hint in GOOD_HINTS else WARN_COLOUR
        self.video.set_overlays([Overlay(guidance.box, "", colour, thick=True)]
                                if guidance.box else [])
        self._show_guidance()

    def on_saving(self, _: None) -> None:
        self.timer.stop()
        self._go(Stage.SAVING)
        self._show_guidance()

    def on_finished(self, outcome: EnrolResult | Exception) -> None:
        self.outcome = outcome
        self._go(Stage.DONE)
        self._show_outcome()
        if isinstance(outcome, EnrolResult):
            self.enrolled.emit(outcome)

    def _show_guidance(self) -> None:
        g = self.guidance
        needed = g.needed if g else 3
        done = g.samples if g else 0
        if self.stage is Stage.SAVING:
            self.hint.setText(tr("enrol_saving"))
            set_tone(self.hint, "info")
        elif g is None:
            self.hint.setText(tr("hint_look_at_camera"))
            set_tone(self.hint, None)
        else:
            self.hint.setText(tr(f"hint_{g.hint.value}"))
            set_tone(self.hint, "ok" if g.hint in GOOD_HINTS else "warn")
        self.dots.setText("●" * done + "○" * (needed - done))
        self.progress.setText(tr("enrol_progress", n=min(done + 1, needed), total=needed))

    def _show_outcome(self) -> None:
        outcome = self.outcome
        if outcome is None:
            return
        if isinstance(outcome, EnrolResult):
            text = tr("enrolled", name=outcome.name, id=outcome.person_id,
                      n=outcome.samples_added)
            set_tone(self.done_message, "ok")
        elif isinstance(outcome, AlreadyEnrolled):
            text = tr("already_enrolled", id=outcome.person_id,
                      name=self.ctx.names.get(outcome.person_id) or outcome.person_id)
            set_tone(self.done_message, "bad")
        elif isinstance(outcome, PhotoRefused):  # the core's reason, in the screen's language
            text = tr("enrol_failed", reason=problem_text(outcome.problem, language()))
            set_tone(self.done_message, "bad")
        else:
            text = tr("enrol_failed", reason=str(outcome))
            set_tone(self.done_message, "bad")
        self.done_message.setText(text)
