"""The README's commands stay in step with the CLI: every `sastre ...` line parses."""

import re
import shlex
from pathlib import Path

import pytest

from desktop.cli import build_parser

PLACEHOLDERS = {"ID": "1", "N": "5"}
README = Path(__file__).resolve().parent.parent / "README.md"


def readme_commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(), flags=re.S)
    lines = []
    for block in blocks:
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line.startswith("scripts/run.sh "):
                line = "sastre " + line.removeprefix("scripts/run.sh ")
            if line.startswith("sastre "):
                lines.append(line)
    return lines


def test_readme_has_commands():
    assert len(readme_commands()) >= 15


@pytest.mark.parametrize("line", readme_commands())
def test_readme_command_parses(line):
    words = [w for w in shlex.split(line)[1:] if w != "..."]
    if ">" in words:  # shell redirection is not part of the command
        words = words[: words.index(">")]
    # "[--json]"-style optional parts are documentation; expand them.
    words = [w.strip("[]") for w in words if w not in ("|",)]
    # Placeholders stand for values: numbers where the CLI wants numbers.
    words = [PLACEHOLDERS.get(w, w) for w in words]
    args = build_parser().parse_args(words)
    assert args.command
