"""Small formatting helpers shared by panels."""

from __future__ import annotations


def human_size(n: int | None) -> str:
    if n is None:
        return "–"
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(n)


def human_params(n: int | None) -> str:
    if not n:
        return "–"
    if n >= 1e9:
        return f"{n / 1e9:.1f}B"
    if n >= 1e6:
        return f"{n / 1e6:.0f}M"
    return f"{n / 1e3:.0f}K"


def human_duration(seconds: float | None) -> str:
    if seconds is None or seconds != seconds or seconds < 0:  # None or NaN
        return "–"
    s = int(round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    return f"{s // 3600}h {(s % 3600) // 60:02d}m"


def short_path(path: str | None) -> str:
    """A path as people read it: the home folder shown as ~."""
    if not path:
        return ""
    from pathlib import Path

    home = str(Path.home())
    if home not in ("", "/") and (path == home or path.startswith(home + "/")):
        return "~" + path[len(home) :]
    return path
