"""A small QPainter line plot of training and validation loss (no QtCharts needed)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

TRAIN_COLOR = QColor("#2f7fd1")
VAL_COLOR = QColor("#e07a1f")


class LossPlot(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.train: list[tuple[int, float]] = []
        self.val: list[tuple[int, float]] = []
        self.total = 1
        self.setMinimumHeight(140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Loss curves")

    def sizeHint(self) -> QSize:
        return QSize(420, 180)

    def clear(self, total: int = 1) -> None:
        self.train, self.val, self.total = [], [], max(1, total)
        self.update()

    def add_train(self, step: int, loss: float) -> None:
        self.train.append((step, loss))
        self.update()

    def add_val(self, step: int, loss: float) -> None:
        self.val.append((step, loss))
        self.update()

    def set_curves(self, train, val, total: int) -> None:
        self.train, self.val, self.total = list(train), list(val), max(1, total)
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        area = QRectF(self.rect()).adjusted(44, 10, -10, -22)
        p.setPen(QPen(pal.mid().color(), 1))
        p.drawRect(area)
        values = [v for _, v in self.train + self.val]
        if not values:
            p.setPen(pal.placeholderText().color())
            p.drawText(area, Qt.AlignmentFlag.AlignCenter, self.tr("Loss curves appear here"))
            return
        lo, hi = min(values), max(values)
        if hi - lo < 1e-6:
            lo, hi = lo - 0.5, hi + 0.5

        def point(step: int, v: float) -> QPointF:
            x = area.left() + area.width() * step / self.total
            y = area.bottom() - area.height() * (v - lo) / (hi - lo)
            return QPointF(x, y)

        p.setPen(pal.text().color())
        p.drawText(QRectF(0, area.top() - 6, 40, 14), Qt.AlignmentFlag.AlignRight, f"{hi:.2f}")
        p.drawText(QRectF(0, area.bottom() - 8, 40, 14), Qt.AlignmentFlag.AlignRight, f"{lo:.2f}")
        p.drawText(
            QRectF(area.left(), area.bottom() + 4, area.width(), 16),
            Qt.AlignmentFlag.AlignRight,
            self.tr("step {0}").format(self.total),
        )
        for series, color in ((self.train, TRAIN_COLOR), (self.val, VAL_COLOR)):
            if not series:
                continue
            path = QPainterPath(point(*series[0]))
            for s, v in series[1:]:
                path.lineTo(point(s, v))
            p.setPen(QPen(color, 2))
            p.drawPath(path)
            for s, v in series if series is self.val else []:
                p.drawEllipse(point(s, v), 3, 3)
        x = area.left() + 6
        for label, color in ((self.tr("train"), TRAIN_COLOR), (self.tr("validation"), VAL_COLOR)):
            p.setPen(color)
            p.drawText(QPointF(x, area.top() + 14), label)
            x += p.fontMetrics().horizontalAdvance(label) + 14
