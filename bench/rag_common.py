"""Shared bits of the retrieval benchmarks: machine description, BENCHMARKS.md section."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "BENCHMARKS.md"
SECTION = "## Retrieval"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        try:
            cpu = (
                subprocess.run(
                    ["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True, text=True
                ).stdout.strip()
                or cpu
            )
        except OSError:
            pass
    mem = ""
    try:
        mem = f", {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB RAM"
    except (ValueError, OSError, AttributeError):
        pass
    import numpy
    import sqlite_vec

    try:
        import torch

        torch_v = f", torch {torch.__version__} ({torch.get_num_threads()} threads)"
    except ImportError:
        torch_v = ""
    return (
        f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores{mem}; "
        f"Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"sqlite-vec {sqlite_vec.__version__}{torch_v}"
    )


def write_subsection(title: str, body: str) -> None:
    """Replace (or add) '### title' inside the '## Retrieval' section of BENCHMARKS.md,
    leaving every other section untouched."""
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else "# Benchmarks\n"
    block = f"### {title}\n\n{body.strip()}\n"
    if SECTION not in text:
        text = text.rstrip() + f"\n\n{SECTION}\n\n{block}"
    else:
        start = text.index(SECTION)
        nxt = re.search(r"^## ", text[start + len(SECTION) :], flags=re.M)
        end = start + len(SECTION) + nxt.start() if nxt else len(text)
        section = text[start:end]
        sub = re.search(rf"^### {re.escape(title)}\n.*?(?=^### |\Z)", section, flags=re.M | re.S)
        if sub:
            section = section[: sub.start()] + block + "\n" + section[sub.end() :].lstrip("\n")
        else:
            section = section.rstrip() + "\n\n" + block
        text = text[:start] + section.rstrip() + "\n" + ("\n" + text[end:] if text[end:] else "")
    BENCHMARKS.write_text(text)
