"""The server's settings and its bearer token (one per data folder, readable by the user only)."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from engine.config import Settings, opt

DEFAULT_PORT = 8765
TOKEN_FILE = "server-token"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


@dataclass
class ServerConfig(Settings):
    host: str = opt("127.0.0.1", "Address to listen on (default: this computer only).")
    port: int = opt(DEFAULT_PORT, "TCP port to listen on (0: any free port).", min=0, max=65535)
    max_body_bytes: int = opt(
        1_000_000, "Largest request body accepted, in bytes.", min=1024, max=64_000_000
    )
    max_prompt_tokens: int = opt(
        8192, "Most prompt tokens one request may send.", min=16, max=1_000_000
    )
    max_tokens: int = opt(4096, "Most tokens one answer may ask for.", min=1, max=32768)
    max_queue: int = opt(
        8, "Most requests waiting for or using the model at once.", min=1, max=1000
    )
    queue_timeout_s: float = opt(
        120.0, "Longest a request waits for the model before a 503.", min=0.1, max=3600
    )
    max_inputs: int = opt(256, "Most texts in one embeddings request.", min=1, max=10000)
    allowed_origins: list[str] = field(
        default_factory=list,
        metadata={"help": "Browser origins allowed to call the server (none by default)."},
    )

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def token_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / TOKEN_FILE


def read_token(data_dir: str | Path, rotate: bool = False) -> str:
    """The install's bearer token, made (or replaced, with `rotate`) on demand; mode 0600."""
    path = token_path(data_dir)
    if not rotate and path.is_file():
        token = path.read_text().strip()
        if token:
            _restrict(path)
            return token
    path.parent.mkdir(parents=True, exist_ok=True)
    token = "sastre-" + secrets.token_urlsafe(32)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
        f.flush()
        os.fsync(f.fileno())
    _restrict(tmp)
    os.replace(tmp, path)
    return token


def _restrict(path: Path) -> None:
    if os.name == "posix" and (path.stat().st_mode & 0o077):
        path.chmod(0o600)
