"""`sastre serve`: the local OpenAI-compatible server, and `sastre serve token`."""

from __future__ import annotations

import os
import sys

from desktop.cli.common import Parser, engine, sub
from desktop.serve.config import DEFAULT_PORT, ServerConfig, is_loopback, read_token
from engine.errors import SastreError


def add_parsers(subs) -> None:
    p = sub(subs, "serve", "Serve your models to other tools through an OpenAI-compatible API.")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="Address to listen on (default: 127.0.0.1 and ::1, this computer only).",
    )
    p.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"TCP port (default: {DEFAULT_PORT}; 0: any free port).",
    )
    p.add_argument(
        "--model",
        "-m",
        help="Model served by default and loaded at start "
        "(default: the default model; see `sastre models list`).",
    )
    p.add_argument("--adapter", help="Adapter of that model used by default.")
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help="Allow --host to be an address other computers can reach.",
    )
    p.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="A browser origin (e.g. http://localhost:3000) allowed to call the "
        "server; repeat for more. None by default.",
    )
    p.add_argument(
        "--max-queue",
        type=int,
        default=None,
        metavar="N",
        help="Most requests queued or running at once (default: 8).",
    )
    p.add_argument(
        "--queue-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="Longest a request waits for the model before a 503 (default: 120).",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser)
    q = sub(actions, "token", "Print the server's bearer token (made on first use).")
    q.add_argument(
        "--rotate",
        action="store_true",
        help="Replace it with a new one; clients using the old one stop working.",
    )


def cmd_serve(args) -> int:
    if args.action == "token":
        from engine.platform import resolve_data_dir

        print(read_token(resolve_data_dir(getattr(args, "data_dir", None)), rotate=args.rotate))
        return 0
    if not is_loopback(args.host) and not args.allow_remote:
        raise SastreError(
            f"--host {args.host} would let other computers reach your models and documents. "
            "Add --allow-remote if you mean it, or leave out --host."
        )
    cfg = ServerConfig(host=args.host, port=args.port, allowed_origins=args.allow_origin)
    if args.max_queue is not None:
        cfg.max_queue = args.max_queue
    if args.queue_timeout is not None:
        cfg.queue_timeout_s = args.queue_timeout
    cfg.validate()
    return _run(args, cfg)


def _run(args, cfg: ServerConfig) -> int:
    from desktop.serve.executor import ThreadExecutor
    from desktop.serve.runner import Server, make_state

    eng = engine(args)
    executor = ThreadExecutor(own_thread=False)  # the model's work runs here, as in `sastre chat`
    try:
        name = args.model
        if name and eng.store.models.get(name) is None:
            raise SastreError(f"No installed model named '{name}'. See `sastre models list`.")
        rec = executor.call(lambda: eng.chat.generator(name, adapter=args.adapter or "").loaded)
        state = make_state(eng, executor, cfg, name or rec.name, args.adapter)
        server = Server(state, on_ready=_announce)
        if not cfg.loopback:
            print(
                f"sastre: warning: listening on {cfg.host}: other computers on your network "
                "can reach this server (they still need the token).",
                file=sys.stderr,
            )
        read_token(eng.data_dir)
        server.serve_with_engine_here(executor)  # until Ctrl-C or SIGTERM
        print("sastre: server stopped.", file=sys.stderr)
    finally:
        executor.shutdown()
        eng.close()
    # Everything the server owns is closed. Ending here skips the interpreter's teardown,
    # where a native worker thread left by MLX or the tokenizer sometimes aborted the
    # process ("terminate called without an active exception") after a clean stop.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _announce(server) -> None:
    state = server.state
    also = " and [::1]" if len(server.sockets) > 1 else ""
    print(
        f"Sastre server ready at {server.url}{also} (model {state.default_model}). "
        "Token: `sastre serve token`. Stop with Ctrl-C.",
        flush=True,
    )


COMMANDS = {"serve": cmd_serve}
