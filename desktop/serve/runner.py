"""Run the app under uvicorn, on a background thread: beside the engine on the main thread
(`sastre serve`, Ctrl-C and SIGTERM stop it), or beside the app (its server switch).

Sockets are bound here, before uvicorn starts: loopback means 127.0.0.1 and ::1
on the same port (when the system has IPv6), and port 0 picks a free one.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import threading
from collections.abc import Callable

import uvicorn

from desktop.serve.app import ServerState, build_app
from desktop.serve.config import ServerConfig
from engine.errors import SastreError

log = logging.getLogger("sastre.serve")
KEEP_ALIVE_S = 75  # as nginx's default


def bind(host: str, port: int) -> list[socket.socket]:
    """Listening sockets: loopback as both 127.0.0.1 and ::1, any other host as given."""
    hosts = ["127.0.0.1", "::1"] if host in ("127.0.0.1", "localhost") else [host]
    socks: list[socket.socket] = []
    try:
        for h in hosts:
            family = socket.AF_INET6 if ":" in h else socket.AF_INET
            s = socket.socket(family, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                s.bind((h, port))
            except OSError as exc:
                s.close()
                if h == "::1" and socks:
                    continue  # no IPv6 loopback here: 127.0.0.1 alone
                raise SastreError(
                    f"Cannot listen on {h} port {port} ({exc.strerror}). Another program may "
                    "use that port; pick another with --port."
                ) from exc
            s.listen(128)
            s.setblocking(False)
            port = s.getsockname()[1]  # ::1 takes the port 127.0.0.1 was given
            socks.append(s)
    except BaseException:
        for s in socks:
            s.close()
        raise
    return socks


class _Uvicorn(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None], on_exit):
        super().__init__(config)
        self._on_ready, self._on_exit = on_ready, on_exit

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets)
        if self.started:
            self._on_ready()

    def handle_exit(self, sig, frame) -> None:
        self._on_exit()  # cancel generations, so open streams end at once
        super().handle_exit(sig, frame)
        self._captured_signals.clear()  # a clean stop: not re-raised once serving ends


class Server:
    """One running server: bound sockets, the ASGI app, uvicorn."""

    def __init__(self, state: ServerState, on_ready: Callable[[Server], None] | None = None):
        self.state = state
        cfg = state.config
        self.sockets = bind(cfg.host, cfg.port)
        cfg.port = self.sockets[0].getsockname()[1]
        self.ready = threading.Event()
        app = build_app(state)
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=3,
            # Keep an idle client's connection open (uvicorn's default is 5 s): a tool that
            # asks every few seconds then skips a new connection before each answer.
            timeout_keep_alive=KEEP_ALIVE_S,
            server_header=False,
        )
        self._uvicorn = _Uvicorn(config, self._ready(on_ready), state.executor.cancel_all)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        cfg = self.state.config
        host = "127.0.0.1" if cfg.host in ("localhost", "0.0.0.0", "::") else cfg.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{cfg.port}/v1"

    def _ready(self, on_ready):
        def ready() -> None:
            self.ready.set()
            if on_ready is not None:
                on_ready(self)

        return ready

    def run(self) -> None:
        """Serve until Ctrl-C / SIGTERM (main thread) or stop()."""
        try:
            asyncio.run(self._uvicorn.serve(sockets=self.sockets))
        finally:
            for s in self.sockets:
                s.close()

    def start(self, on_stopped: Callable[[], None] | None = None) -> None:
        """Serve on a background thread; `on_stopped` is called there once serving ends."""

        def run() -> None:
            try:
                self.run()
            finally:
                if on_stopped is not None:
                    on_stopped()

        self._thread = threading.Thread(target=run, name="sastre-server", daemon=True)
        self._thread.start()

    def serve_with_engine_here(self, executor) -> None:
        """`sastre serve`: HTTP on a background thread, the model's work on this (the main)
        thread, as `sastre chat` runs it, until Ctrl-C or SIGTERM. On a second thread the
        same generation reached its first token later (median 195 vs 189 ms, up to 240 vs
        223 ms on a busier machine, SmolLM2-135M here)."""
        handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        for sig in handlers:
            signal.signal(sig, self._uvicorn.handle_exit)
        try:
            self.start(on_stopped=executor.stop)
            executor.run_here()
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
            self.stop()

    def stop(self, timeout: float = 10.0) -> None:
        self.state.executor.cancel_all()
        self._uvicorn.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()


def make_state(engine, executor, config: ServerConfig, model: str | None, adapter: str | None):
    """The server's state, with its default model id checked against the registry."""
    from desktop.serve.catalog import ApiError, resolve_chat_model
    from desktop.serve.config import read_token

    data_dir = engine.data_dir
    name = model or engine.models.default_name()
    mid = f"{name}:{adapter}" if adapter else name
    try:
        resolve_chat_model(engine, mid, mid)
    except ApiError as exc:
        reason = exc.message.split(" See GET")[0].split("; use the model id")[0]
        raise SastreError(f"Cannot serve '{mid}': {reason}. Choose an installed model.") from exc
    return ServerState(engine, executor, config, mid, token=lambda: read_token(data_dir))
