"""The local server's cost: `sastre chat`'s path vs the same turn through `sastre serve`.

    .venv/bin/python bench/serve.py [--rounds 3] [--max-tokens 48] [--clients 4] [--json]

One data folder with the embedded SmolLM2-135M-Instruct (or --model-dir: any model
folder). The `sastre chat` side runs `Engine.chat.send` (what the command runs, without
the terminal) in a worker process; the server side is a real `sastre serve`
process, read with the official `openai` client, streaming. Both sides being
processes that wait while the other works matters on a loaded machine: the OS
favours a process that has been sleeping. Both use the same
prompts (one per round, so the prompt cache helps neither), greedy sampling and
max tokens; rounds alternate between the sides, in a rotating order, so machine noise
hits each alike, with a pause before each (see SETTLE_S). A third side sends the server
the same kind of request with the standard library's HTTP client, to tell the server's
cost from the `openai` client's.
Time to first token and tokens/s are measured the same way on both sides, from
the caller: TTFT from the call to the first piece of text, tokens/s as the tokens
after the first over the time after the first. Then N clients ask at once: every
answer must arrive, whole (queued on the one engine thread, none lost). Prints a
Markdown table; medians.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SYSTEM = "You are a helpful assistant. Answer clearly and accurately."
TOPICS = [
    "a clear email",
    "a tidy desk",
    "a short meeting",
    "a good night's sleep",
    "a useful notebook",
    "a calm commute",
    "a healthy lunch",
    "a quiet evening",
]


# A pause before each side's round: OpenBLAS's worker threads spin for a while after
# the last matmul, so a round started at once shares the cores with the other process's
# spinning threads.
SETTLE_S = 0.5


def prompt(i: int) -> str:
    return f"Give me three practical tips for {TOPICS[i % len(TOPICS)]}."


def messages(text: str) -> list[dict]:
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": text}]


def prepare(data: Path, model_dir: str | None) -> str:
    from engine.context import Engine

    eng = Engine(data)
    try:
        if model_dir:
            name = eng.models.import_path(model_dir, name="bench").name
        else:
            name = eng.models.prepare_embedded().name
        eng.models.set_default(name)
        return name
    finally:
        eng.close()


def chat_side(eng, model: str, text: str, max_tokens: int) -> dict:
    from engine.config import GenerationConfig

    cfg = GenerationConfig(max_tokens=max_tokens, temperature=0.0, seed=0)
    t0 = time.perf_counter()
    first = last = None
    for ev in eng.chat.send(
        text, model=model, adapter="", system=SYSTEM, config=cfg, save=False, personalize=False
    ):
        if ev.text:
            last = time.perf_counter()
            first = first or last
        if ev.result is not None:
            n, engine_tps = ev.result.generation_tokens, ev.result.generation_tps
    return {**_timing(t0, first, last, n), "engine_tps": engine_tps}


def chat_worker(data: str, model: str) -> None:
    """The `sastre chat` side in its own process (like the server), so that the OS
    schedules both sides alike: one JSON request per stdin line, one result per line."""
    from engine.context import Engine

    eng = Engine(data)
    for line in sys.stdin:
        req = json.loads(line)
        print(json.dumps(chat_side(eng, model, req["text"], req["max_tokens"])), flush=True)


class ChatProcess:
    def __init__(self, data: Path, model: str):
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--chat-worker", str(data), model],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )

    def ask(self, text: str, max_tokens: int) -> dict:
        self.proc.stdin.write(json.dumps({"text": text, "max_tokens": max_tokens}) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def server_side(client, model: str, text: str, max_tokens: int) -> dict:
    t0 = time.perf_counter()
    first = last = None
    n = 0
    stream = client.chat.completions.create(
        model=model,
        max_tokens=max_tokens,
        temperature=0.0,
        seed=0,
        stream=True,
        stream_options={"include_usage": True},
        messages=messages(text),
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            last = time.perf_counter()
            first = first or last
        if chunk.usage is not None:
            n = chunk.usage.completion_tokens
        if chunk.choices and chunk.choices[0].finish_reason:
            engine_tps = chunk.model_extra["sastre"]["generation_tps"]
    return {**_timing(t0, first, last, n), "engine_tps": engine_tps}


def plain_side(url: str, token: str, model: str, text: str, max_tokens: int) -> dict:
    """The same streamed request with the standard library's HTTP client: what the
    server itself costs, without the `openai` client's own work."""
    import http.client
    from urllib.parse import urlsplit

    u = urlsplit(url)
    body = json.dumps(
        {
            "model": model,
            "max_tokens": max_tokens,
            "temperature": 0.0,
            "seed": 0,
            "stream": True,
            "messages": messages(text),
        }
    )
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn = PLAIN.get(u.netloc) or PLAIN.setdefault(u.netloc, http.client.HTTPConnection(u.netloc))
    t0 = time.perf_counter()
    first = last = None
    n = 0
    try:
        conn.request("POST", u.path + "/chat/completions", body, headers)
        resp = conn.getresponse()
    except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
        conn.close()  # the server closed the idle kept-alive connection: open a new one
        conn.request("POST", u.path + "/chat/completions", body, headers)
        resp = conn.getresponse()
    while (line := resp.readline()) and not line.startswith(b"data: [DONE]"):
        if not line.startswith(b"data: {"):
            continue
        choices = json.loads(line[6:])["choices"]
        if choices and choices[0]["delta"].get("content"):
            last = time.perf_counter()
            first = first or last
            n += 1  # pieces, not tokens: only TTFT is read from this side
    resp.read()
    return {**_timing(t0, first, last, n), "engine_tps": 0.0}


PLAIN: dict = {}  # one kept-alive connection per server, as the openai client keeps


def cpu_s(pid: int) -> float | None:
    """CPU seconds a process has used (user + system, all threads); Linux /proc only."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def with_cpu(pid: int, fn, *args) -> dict:
    before = cpu_s(pid)
    out = fn(*args)
    after = cpu_s(pid)
    out["cpu_s"] = None if before is None or after is None else after - before
    return out


def _timing(t0: float, first: float | None, last: float | None, n: int) -> dict:
    first = first or time.perf_counter()
    last = last or first
    tps = (n - 1) / (last - first) if n > 1 and last > first else 0.0
    return {"ttft_s": first - t0, "tps": tps, "tokens": n}


def start_server(data: Path) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktop.cli", "serve", "--port", "0", "--data-dir", str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    line = proc.stdout.readline()
    if "ready at" not in line:
        proc.kill()
        raise SystemExit(f"the server did not start: {line}{proc.stderr.read()}")
    return proc, line.split("ready at ")[1].split()[0]


def concurrent(client, model: str, clients: int, max_tokens: int) -> dict:
    """N clients at once; each answer must come back whole."""
    results: list[dict | BaseException] = [None] * clients  # type: ignore[list-item]

    def ask(i: int) -> None:
        try:
            r = client.chat.completions.create(
                model=model,
                max_tokens=max_tokens,
                temperature=0.0,
                messages=messages(prompt(100 + i)),
            )
            results[i] = {"tokens": r.usage.completion_tokens, "done": time.perf_counter()}
        except BaseException as exc:  # noqa: BLE001 - counted as lost
            results[i] = exc

    t0 = time.perf_counter()
    threads = [threading.Thread(target=ask, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = [r for r in results if isinstance(r, dict)]
    wall = time.perf_counter() - t0
    return {
        "clients": clients,
        "answered": len(ok),
        "lost": clients - len(ok),
        "errors": [repr(r) for r in results if not isinstance(r, dict)],
        "tokens": sum(r["tokens"] for r in ok),
        "wall_s": wall,
        "tps": sum(r["tokens"] for r in ok) / wall,
        "last_answer_s": max((r["done"] - t0 for r in ok), default=0.0),
    }


def run(rounds: int, max_tokens: int, clients: int, model_dir: str | None) -> dict:
    import openai

    from desktop.serve.config import read_token

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        model = prepare(data, model_dir)
        proc, url = start_server(data)
        chat = ChatProcess(data, model)
        try:
            client = openai.OpenAI(
                base_url=url, api_key=read_token(data), max_retries=0, timeout=3600
            )
            chat.ask(prompt(99), 4)  # load and warm up both sides
            server_side(client, model, prompt(99), 4)
            token = read_token(data)
            plain_side(url, token, model, prompt(99), 4)
            res: dict = {
                "model": model,
                "max_tokens": max_tokens,
                "chat": [],
                "server": [],
                "plain": [],
            }
            sides = {
                "chat": lambda i: with_cpu(chat.proc.pid, chat.ask, prompt(i), max_tokens),
                "server": lambda i: with_cpu(
                    proc.pid, server_side, client, model, prompt(i), max_tokens
                ),
                "plain": lambda i: plain_side(url, token, model, prompt(i + 4), max_tokens),
            }
            order = list(sides)
            for i in range(rounds):
                # Each side goes first, second and third equally often: the side that
                # follows a switch of process ran measurably slower here.
                for side in order[i % len(order) :] + order[: i % len(order)]:
                    time.sleep(SETTLE_S)
                    res[side].append(sides[side](i))
            res["single_tps"] = statistics.median(r["tps"] for r in res["server"])
            res["concurrent"] = concurrent(client, model, clients, max_tokens)
            return res
        finally:
            chat.close()
            proc.terminate()
            proc.wait(timeout=30)


def table(res: dict) -> str:
    keys = ("ttft_s", "tps", "engine_tps")
    med = {
        side: {k: statistics.median(r[k] for r in res[side]) for k in keys}
        for side in ("chat", "server")
    }
    c, s = med["chat"], med["server"]
    conc = res["concurrent"]
    return "\n".join(
        [
            f"Model {res['model']}, {res['max_tokens']} new tokens, greedy, "
            f"{len(res['chat'])} rounds (medians).",
            "",
            "| path | time to first token | decode tok/s (caller) | decode tok/s (engine) |",
            "|---|---|---|---|",
            f"| `sastre chat` (Engine.chat.send) | {c['ttft_s'] * 1000:.0f} ms | {c['tps']:.1f} | "
            f"{c['engine_tps']:.1f} |",
            f"| `sastre serve` (openai client, stream) | {s['ttft_s'] * 1000:.0f} ms | "
            f"{s['tps']:.1f} | {s['engine_tps']:.1f} |",
            f"| server / chat | {s['ttft_s'] / c['ttft_s']:.2f}x time | "
            f"**{s['tps'] / c['tps']:.3f}x** | {s['engine_tps'] / c['engine_tps']:.3f}x |",
            "",
            *_plain_line(res, c["ttft_s"]),
            *_cpu_line(res),
            f"{conc['clients']} clients at once: {conc['answered']}/{conc['clients']} answered "
            f"({conc['lost']} lost), {conc['tokens']} tokens in {conc['wall_s']:.1f} s = "
            f"{conc['tps']:.1f} tok/s overall (one client alone: {res['single_tps']:.1f} tok/s).",
        ]
    )


def _plain_line(res: dict, chat_ttft: float) -> list[str]:
    if not res.get("plain"):
        return []
    p = statistics.median(r["ttft_s"] for r in res["plain"])
    return [
        f"Time to first token with the standard library's HTTP client instead of `openai`: "
        f"{p * 1000:.0f} ms, **{p / chat_ttft:.2f}x** `sastre chat`'s (its difference from "
        "the `openai` row is that client's own work).",
        "",
    ]


def _cpu_line(res: dict) -> list[str]:
    """CPU time per token, all rounds together: far less noisy than wall time on a
    shared machine, and what the server adds (HTTP, JSON, its event loop) shows in it."""
    per = {}
    for side in ("chat", "server"):
        if any(r.get("cpu_s") is None for r in res[side]):
            return []
        per[side] = sum(r["cpu_s"] for r in res[side]) / sum(r["tokens"] for r in res[side])
    return [
        f"CPU per generated token (whole process, all rounds): `sastre chat` "
        f"{per['chat'] * 1000:.2f} ms, `sastre serve` {per['server'] * 1000:.2f} ms: the "
        f"server does the same work at **{per['chat'] / per['server']:.3f}x** the speed.",
        "",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--max-tokens", type=int, default=48)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--model-dir", help="A model folder (default: the embedded SmolLM2).")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--chat-worker", nargs=2, metavar=("DATA", "MODEL"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.chat_worker:
        chat_worker(*args.chat_worker)
        return
    res = run(args.rounds, args.max_tokens, args.clients, args.model_dir)
    print(json.dumps(res, indent=2) if args.json else table(res))


if __name__ == "__main__":
    main()
