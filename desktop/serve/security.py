"""The checks every request passes before any endpoint sees it, as plain ASGI middleware.

Order: Host header (DNS rebinding: a web page whose name now resolves to
127.0.0.1 still sends its own name), Origin (browsers; no wildcard CORS), the
bearer token, then the body size (read here, at most the limit, and replayed).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def error_body(message: str, type_: str, code: str, param: str | None = None) -> dict:
    """OpenAI's error shape."""
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


async def send_json(send: Send, status: int, body: dict, headers: Iterable[tuple[str, str]] = ()):
    data = json.dumps(body).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in headers]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})


def allowed_hosts(host: str, port: int) -> set[str]:
    """Host header values accepted: the loopback names with the port, and the bound
    address itself when it is a specific one."""
    names = {"localhost", "127.0.0.1", "[::1]"}
    if host not in ("0.0.0.0", "::", ""):
        names.add(f"[{host}]" if ":" in host else host)
    return {f"{n}:{port}" for n in names}


def _is_ip_literal(host_header: str) -> bool:
    name = host_header.rsplit(":", 1)[0] if not host_header.endswith("]") else host_header
    try:
        ipaddress.ip_address(name.strip("[]"))
        return True
    except ValueError:
        return False


class SecurityMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        token: Callable[[], str],
        hosts: set[str],
        origins: Iterable[str] = (),
        max_body_bytes: int = 1_000_000,
        any_ip_host: bool = False,
    ):
        self.app = app
        self.token = token  # read on every request, so a rotated token applies at once
        self.hosts = hosts
        self.origins = {o.rstrip("/") for o in origins}
        self.max_body = max_body_bytes
        self.any_ip_host = any_ip_host  # bound to all interfaces: IP literals cannot rebind

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        if host not in self.hosts and not (self.any_ip_host and _is_ip_literal(host)):
            await send_json(
                send,
                403,
                error_body(
                    f"Host '{host}' is not this server's address. Use http://127.0.0.1:PORT "
                    "(requests through another name are refused, against DNS rebinding).",
                    "permission_error",
                    "host_not_allowed",
                ),
            )
            return
        origin = headers.get("origin")
        cors: list[tuple[str, str]] = []
        if origin is not None:
            if origin.rstrip("/") not in self.origins:
                await send_json(
                    send,
                    403,
                    error_body(
                        f"Browser origin '{origin}' is not allowed to use this server. Add it to "
                        "the server's allowed origins if you trust that page.",
                        "permission_error",
                        "origin_not_allowed",
                    ),
                )
                return
            cors = [("access-control-allow-origin", origin), ("vary", "Origin")]
            if scope["method"] == "OPTIONS":  # a preflight carries no token
                await self._preflight(send, cors)
                return
        if not self._authorized(headers.get("authorization", "")):
            await send_json(
                send,
                401,
                error_body(
                    "Missing or wrong API key. Send the server's token as "
                    "'Authorization: Bearer TOKEN' (shown in Sastre's server switch, or by "
                    "`sastre serve token`).",
                    "invalid_request_error",
                    "invalid_api_key",
                ),
                [("www-authenticate", "Bearer"), *cors],
            )
            return
        body = await self._read_body(headers, receive)
        if body is None:
            await send_json(
                send,
                413,
                error_body(
                    f"The request body is larger than the server's limit of {self.max_body} bytes. "
                    "Send fewer or shorter messages.",
                    "invalid_request_error",
                    "request_too_large",
                ),
                cors,
            )
            return
        await self.app(scope, _replay(body, receive), _with_headers(send, cors))

    def _authorized(self, value: str) -> bool:
        scheme, _, given = value.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), self.token().encode()
        )

    async def _preflight(self, send: Send, cors: list[tuple[str, str]]) -> None:
        extra = [
            ("access-control-allow-methods", "GET, POST, OPTIONS"),
            ("access-control-allow-headers", "Authorization, Content-Type"),
            ("access-control-max-age", "600"),
        ]
        await send(
            {
                "type": "http.response.start",
                "status": 204,
                "headers": [(k.encode(), v.encode()) for k, v in cors + extra],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    async def _read_body(self, headers: dict[str, str], receive: Receive) -> bytes | None:
        """The whole body, or None past the limit (refused before reading when declared)."""
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            return None
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # later: the client's disconnect

    return replay


def _with_headers(send: Send, extra: list[tuple[str, str]]) -> Send:
    if not extra:
        return send
    raw = [(k.encode(), v.encode()) for k, v in extra]

    async def wrapped(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": list(message.get("headers", [])) + raw}
        await send(message)

    return wrapped
