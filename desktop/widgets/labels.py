"""Labels that fit their text: elided to one line, or wrapped at their full height."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    def __init__(
        self,
        parent: QWidget | None = None,
        mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
        all_or_nothing: bool = False,
    ):
        super().__init__(parent)
        self._full = ""
        self._mode = mode
        self._all_or_nothing = all_or_nothing  # hints: whole or not at all
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(20)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        self._full = text or ""
        self.setToolTip(self._full)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, self._mode, max(0, self.width()))
        if self._all_or_nothing and shown != self._full:
            shown = ""
        super().setText(shown)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def sizeHint(self) -> QSize:  # noqa: N802
        fm = self.fontMetrics()
        return QSize(fm.horizontalAdvance(self._full) + 4, fm.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(20, self.fontMetrics().height())


class WrapLabel(QLabel):
    """A word-wrapped label of a fixed width whose height always fits its text.

    Word-wrapped labels inside scroll areas are often given the height of one
    width while drawn at another, and lose their last lines; fixing the width
    makes the height exact.
    """

    def __init__(self, width: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.set_width(width)

    def set_width(self, width: int) -> None:
        self.setFixedWidth(width)
        self._fit()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        super().setText(text)
        self._fit()

    def _fit(self) -> None:
        self.setFixedHeight(max(self.fontMetrics().height(), self.heightForWidth(self.width())))
