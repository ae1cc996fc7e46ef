"""The app's server switch, offscreen: the server runs on the app's engine thread and answers
the `openai` client with the app's loaded model; snippets and token reach the clipboard."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")
openai = pytest.importorskip("openai")

from PySide6.QtCore import QThread  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402

from desktop.serve.config import read_token  # noqa: E402
from tests import test_desktop as desk  # noqa: E402
from tests.test_desktop import WAIT_MS, send_and_wait  # noqa: E402

make_window, window = desk.make_window, desk.window  # the app fixtures, shared


def test_switch_serves_the_apps_model_on_its_engine_thread(qtbot, window):
    w = window
    ctx = w.ctx
    ctx.store.settings.set("server", {"port": 0})
    switch = w.server_switch
    assert "off" in switch.text()
    with qtbot.waitSignal(switch.ready, timeout=WAIT_MS):
        switch.setChecked(True)
    assert switch.running and switch.url.startswith("http://127.0.0.1:")
    assert switch.url.removeprefix("http://").removesuffix("/v1") in switch.text()

    send_and_wait(qtbot, w, "Hello from the app")
    loaded = ctx.engine.chat._generator  # the app's model, loaded by its chat
    threads = []
    real = ctx.engine.chat.send

    def send(*args, **kwargs):
        threads.append(QThread.currentThread())
        return real(*args, **kwargs)

    ctx.engine.chat.send = send
    client = openai.OpenAI(base_url=switch.url, api_key=read_token(ctx.data_dir), max_retries=0)
    assert "tiny" in [m.id for m in client.models.list()]
    r = client.chat.completions.create(
        model="tiny", max_tokens=4, messages=[{"role": "user", "content": "Hi"}]
    )
    assert r.choices[0].message.content is not None
    assert ctx.engine.chat._generator is loaded  # one copy of the model, shared
    assert threads and threads[0] is ctx.service.thread
    ctx.engine.chat.send = real

    switch.act_python.trigger()
    snippet = QGuiApplication.clipboard().text()
    assert switch.url in snippet and read_token(ctx.data_dir) in snippet and "OpenAI(" in snippet
    switch.act_curl.trigger()
    assert "/chat/completions" in QGuiApplication.clipboard().text()
    assert read_token(ctx.data_dir) in switch.details_text()

    url = switch.url
    switch.setChecked(False)
    assert not switch.running and "off" in switch.text()
    with pytest.raises(openai.APIConnectionError):
        openai.OpenAI(base_url=url, api_key="x", max_retries=0, timeout=5).models.list()


def test_a_busy_port_is_reported_and_the_switch_stays_off(qtbot, window):
    import socket

    w = window
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    try:
        w.ctx.store.settings.set("server", {"port": taken.getsockname()[1]})
        errors = []
        w.ctx.events.error.connect(errors.append)
        w.server_switch.setChecked(True)
        assert not w.server_switch.isChecked() and not w.server_switch.running
        assert errors and "port" in errors[0]
    finally:
        taken.close()
