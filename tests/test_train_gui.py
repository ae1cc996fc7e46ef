"""The Training panel, offscreen: pick a dataset, train with a preset, see the curves and
the report, pause/stop, and use the adapter in chat."""

from __future__ import annotations

import json
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")

from tests.test_desktop import make_window  # noqa: E402,F401
from tests.test_train_lora import ROWS  # noqa: E402

WAIT_MS = 120_000


@pytest.fixture
def panel(request, tmp_path):
    window = request.getfixturevalue("make_window")()
    f = tmp_path / "math.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in ROWS))
    window.ctx.engine.training.import_dataset(str(f), "math")
    window.show_panel("training")
    p = window.training
    p.refresh()
    return p


def test_train_from_the_panel_shows_curves_and_report(qtbot, panel):
    assert panel.dataset_combo.currentData() == "math"
    assert "24 examples" in panel.dataset_info.text() and "math" not in panel.preview.toPlainText()
    panel.adapter_name.setText("gui-a")
    panel.preset_combo.setCurrentIndex(panel.preset_combo.findData("quick"))
    panel.start()
    job = panel.job
    assert job is not None and panel.stop_button.isEnabled()
    with qtbot.waitSignal(job.done, timeout=WAIT_MS):
        pass
    assert job.state == "finished", job.error
    assert len(panel.plot.train) >= 1 and len(panel.plot.val) >= 2
    assert "validation loss" in panel.report.toPlainText()
    items = [panel.adapter_list.item(i).text() for i in range(panel.adapter_list.count())]
    assert any(t.startswith("gui-a") and "ready" in t for t in items)
    panel.adapter_list.setCurrentRow(0)
    panel.use_selected()
    assert panel.ctx.store.settings.get("adapter") == "gui-a"
    panel.plot.grab()  # paints without error


def test_stop_keeps_a_checkpoint_and_resume_finishes(qtbot, panel):
    panel.adapter_name.setText("gui-b")
    panel.preset_combo.setCurrentIndex(panel.preset_combo.findData("thorough"))
    panel.start()
    job = panel.job
    # Stop once the run exists (stopping a job that has not started creates nothing).
    qtbot.waitUntil(lambda: panel.ctx.store.adapters.get("gui-b") is not None, timeout=WAIT_MS)
    panel.pause_button.setChecked(True)
    assert job.pause_event.is_set()
    panel.stop()
    with qtbot.waitSignal(job.done, timeout=WAIT_MS):
        pass
    assert panel.ctx.store.adapters.get("gui-b").status == "cancelled"
    panel.start(resume=True)
    with qtbot.waitSignal(panel.job.done, timeout=WAIT_MS) if panel.job else _noop():
        pass
    assert panel.ctx.store.adapters.get("gui-b").status == "ready"


class _noop:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False
