"""A damaged database at start-up: say so in plain words, keep a copy, offer to rebuild.

Damage is noticed at start (a quick check of the file, or a read that failed in an
earlier session and left a note) or when opening the database fails. Chats,
feedback and settings are carried over to the rebuilt file; the document index
is rebuilt from the user's files once the window is up. Nothing is dropped
silently: rows that could not be read are counted, and the damaged file is kept.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from store.db import DB_FILENAME
from store.recover import RecoveryReport, rebuild, repair_requested

QUICK_CHECK_MAX_BYTES = 2 * 2**30  # above this the start-up check would take too long


def damage_found(data_dir: Path) -> str | None:
    """What is wrong with the database, in a few words, or None when it looks sound."""
    from store.db import connect
    from store.errors import StoreError

    db = data_dir / DB_FILENAME
    if not db.exists():
        return None
    if repair_requested(data_dir):
        return QCoreApplication.translate(
            "Recovery", "a read failed because part of the file is damaged"
        )
    if db.stat().st_size > QUICK_CHECK_MAX_BYTES:
        return None
    try:
        conn = connect(data_dir, migrate=False)
    except StoreError as exc:
        return str(exc)
    try:
        problems = conn.problems(limit=3, quick=True)
    finally:
        conn.close()
    return "; ".join(problems) if problems else None


def offer_repair(
    data_dir: Path, detail: str, parent: QWidget | None = None
) -> RecoveryReport | None:
    """Ask, then rebuild; returns the report (None when the user said not now)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(QCoreApplication.translate("Recovery", "Sastre's database is damaged"))
    box.setText(
        QCoreApplication.translate(
            "Recovery",
            "Part of Sastre's database is damaged, so some of your data cannot be read as it "
            "is.\n\nSastre can repair it: it keeps a copy of the damaged file, carries your "
            "chats, feedback and settings over to a new one, and rebuilds the document index "
            "from your files. Nothing is deleted.",
        )
    )
    box.setDetailedText(detail)
    repair = box.addButton(
        QCoreApplication.translate("Recovery", "Repair now"), QMessageBox.ButtonRole.AcceptRole
    )
    box.addButton(
        QCoreApplication.translate("Recovery", "Not now"), QMessageBox.ButtonRole.RejectRole
    )
    box.setDefaultButton(repair)
    box.exec()
    if box.clickedButton() is not repair:
        return None
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        report = rebuild(data_dir)
    finally:
        QApplication.restoreOverrideCursor()
    QMessageBox.information(parent, "Sastre", repaired_message(report))
    return report


def repaired_message(report: RecoveryReport) -> str:
    text = QCoreApplication.translate(
        "Recovery", "The database was repaired. The damaged file is kept as {0}."
    ).format(report.backup)
    if report.lost:
        lost = ", ".join(f"{n} {table}" for table, n in sorted(report.lost.items()))
        text += " " + QCoreApplication.translate(
            "Recovery", "These rows could not be read and are only in that copy: {0}."
        ).format(lost)
    if report.reindex:
        text += " " + QCoreApplication.translate(
            "Recovery", "Your documents are being indexed again from their files."
        )
    return text


def reindex(ctx, report: RecoveryReport) -> None:
    """Rebuild each collection's index on the engine thread, after a repair."""
    for name, paths in report.reindex.items():
        existing = [p for p in paths if Path(p).exists()]
        if not existing:
            continue
        job = ctx.service.submit(
            f"reindex {name}",
            lambda h, name=name, existing=existing: ctx.engine.library.index(
                existing, collection=name, cancel=h.cancel
            ),
        )
        job.failed.connect(ctx.error)
