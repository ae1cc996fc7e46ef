"""Update the UI translations: extract strings, keep translations, compile .qm files.

    python scripts/translations.py           # after changing UI strings, then translate
                                             # the new entries in Qt Linguist
                                             # (pyside6-linguist resources/i18n/sastre_es.ts)
    python scripts/translations.py --check   # exit 1 if a string has no translation

Sources are every tr()/translate() call under desktop/ (the CLI is English
only), plus the help texts of engine.config.GenerationConfig and
engine.personalize.PersonalizeConfig, which the Settings panel shows as tooltips,
the built-in personas' descriptions (resources/personas.json), and the sentences of
the engine's messages (errors and warnings raised or reported under engine/ and store/,
see desktop/messages.py): they are written to desktop/_strings_generated.py so that
lupdate sees them.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import json
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
I18N = ROOT / "resources" / "i18n"
LANGUAGES = ("es",)
GENERATED = ROOT / "desktop" / "_strings_generated.py"
EXCLUDE = ROOT / "desktop" / "cli"  # the CLI is English only


# Calls whose text arguments are messages for the user: errors (not Python's own, which
# are for programmers), the one not-found shape, file-check reasons, and lines added to
# a report's errors / problems / warnings.
_MESSAGE_FUNCS = {"cls", "not_found", "bad"}
_BUILTIN_ERRORS = {"ValueError", "TypeError", "RuntimeError", "KeyError", "AssertionError"}
_REPORT_LISTS = re.compile(r"(errors|problems|warnings)$")


def _called(node: ast.Call) -> str:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _error_classes(trees: list[ast.Module]) -> set[str]:
    """Names of the exception classes defined in the code (whatever their names end with)."""
    classes = [n for t in trees for n in ast.walk(t) if isinstance(n, ast.ClassDef)]
    found: set[str] = set()
    while True:
        more = {
            c.name
            for c in classes
            for b in c.bases
            if isinstance(b, ast.Name) and (b.id.endswith(("Error", "Exception")) or b.id in found)
        }
        if more <= found:
            return found
        found |= more


def _is_message_call(node: ast.Call, errors: set[str]) -> bool:
    name = _called(node)
    if name in _BUILTIN_ERRORS:
        return False
    if name.endswith("Error") or name in errors or name in _MESSAGE_FUNCS:
        return True
    if name == "append" and isinstance(node.func, ast.Attribute):
        target = node.func.value
        if isinstance(target, ast.Attribute | ast.Name):
            return bool(_REPORT_LISTS.search(getattr(target, "attr", getattr(target, "id", ""))))
    return False


def _template(node: ast.expr) -> str | None:
    """A message's text with each interpolated value as {0}, {1}, ..."""

    def lit(text: str) -> str:
        return text.replace("{", "{{").replace("}", "}}")

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return lit(node.value)
    if not isinstance(node, ast.JoinedStr):
        return None
    out, n = [], 0
    for part in node.values:
        if isinstance(part, ast.Constant):
            out.append(lit(part.value))
        else:
            out.append(f"{{{n}}}")
            n += 1
    return "".join(out)


def engine_messages() -> list[str]:
    """The sentences of every user-facing message under engine/ and store/, in file order."""
    from desktop.messages import template_sentences

    found: dict[str, None] = {}
    paths = sorted(p for folder in ("engine", "store") for p in (ROOT / folder).rglob("*.py"))
    trees = [ast.parse(p.read_text(encoding="utf-8")) for p in paths]
    errors = _error_classes(trees)
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _is_message_call(node, errors):
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    text = _template(arg)
                    for sentence in template_sentences(text) if text else ():
                        found.setdefault(sentence)
    return list(found)


def generated_strings() -> str:
    from engine.config import GenerationConfig
    from engine.personalize import PersonalizeConfig

    lines = [
        '"""Strings defined outside desktop/ that the UI shows; written by '
        'scripts/translations.py."""',
        "",
        "from PySide6.QtCore import QT_TRANSLATE_NOOP",
        "",
        "STRINGS = [",
    ]
    for cls in (GenerationConfig, PersonalizeConfig):
        context = json.dumps(cls.__name__)  # the Settings panel translates in this context
        for f in dataclasses.fields(cls):
            text = f.metadata.get("help")
            if text:
                lines.append(f"    QT_TRANSLATE_NOOP({context}, {json.dumps(text)}),")
    personas = json.loads((ROOT / "resources" / "personas.json").read_text(encoding="utf-8"))
    for p in personas:  # the Personas panel shows the built-in descriptions translated
        if p.get("description"):
            lines.append(f'    QT_TRANSLATE_NOOP("Personas", {json.dumps(p["description"])}),')
    lines += [
        "]",
        "",
        "# Sentences of the engine's messages, matched and translated by desktop/messages.py.",
    ]
    lines.append("ENGINE_MESSAGES = [")
    for sentence in engine_messages():
        lines.append(
            f'    QT_TRANSLATE_NOOP("EngineMessages", {json.dumps(sentence, ensure_ascii=False)}),'
        )
    lines.append("]")
    return "\n".join(lines) + "\n"


def write_generated(path: Path = GENERATED) -> None:
    path.write_text(generated_strings())
    ruff = shutil.which("ruff")
    if ruff:  # keep `ruff format --check .` clean
        subprocess.run([ruff, "format", "-q", str(path)], check=False)


def tool(name: str) -> str:
    found = shutil.which(f"pyside6-{name}") or shutil.which(name)
    if not found:
        sys.exit(f"{name} not found: install PySide6 (it ships pyside6-{name}).")
    return found


def sources(generated: Path) -> list[str]:
    files = [p for p in (ROOT / "desktop").rglob("*.py") if EXCLUDE not in p.parents]
    return sorted({str(p) for p in files if p != GENERATED} | {str(generated)})


def known_translations(ts: Path) -> dict[str, str]:
    """Finished translations by source text, whatever class they were written for."""
    known: dict[str, str] = {}
    for msg in ET.parse(ts).getroot().iter("message"):
        tr = msg.find("translation")
        if tr is not None and tr.text and tr.get("type") not in ("unfinished", "obsolete"):
            known.setdefault(msg.findtext("source") or "", tr.text)
    return known


def reuse(ts: Path, known: dict[str, str]) -> int:
    """Fill untranslated entries whose text is translated elsewhere (a string that moved to
    another class keeps its translation); returns how many were filled."""
    tree = ET.parse(ts)
    filled = 0
    for msg in tree.getroot().iter("message"):
        tr = msg.find("translation")
        source = msg.findtext("source") or ""
        # lupdate proposes a moved string's old translation but marks it unfinished.
        if tr is not None and tr.get("type") == "unfinished" and source in known:
            tr.text = known[source]
            del tr.attrib["type"]
            filled += 1
    if filled:
        tree.write(ts, encoding="utf-8", xml_declaration=True)
    return filled


def update(ts: Path, generated: Path = GENERATED, also: list[Path] = ()) -> None:
    write_generated(generated)
    known = {k: v for t in also for k, v in known_translations(t).items()}
    known.update(known_translations(ts))
    lupdate = [
        tool("lupdate"),
        *sources(generated),
        "-ts",
        str(ts),
        "-no-obsolete",
        "-locations",
        "none",
    ]
    subprocess.run(lupdate, cwd=ROOT, check=True, capture_output=True)
    if reuse(ts, known):  # lupdate writes the file back in its own layout
        subprocess.run(lupdate, cwd=ROOT, check=True, capture_output=True)


def unfinished(ts: Path) -> list[str]:
    """Source texts without a finished translation."""
    missing = []
    for msg in ET.parse(ts).getroot().iter("message"):
        tr = msg.find("translation")
        if (
            tr is None
            or tr.get("type") in ("unfinished", "obsolete", "vanished")
            or not (tr.text or tr.findall("numerusform"))
        ):
            missing.append(msg.findtext("source") or "")
    return missing


def release(ts: Path) -> Path:
    qm = ts.with_suffix(".qm")
    subprocess.run([tool("lrelease"), str(ts), "-qm", str(qm)], check=True, capture_output=True)
    return qm


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="only report untranslated strings")
    p.add_argument(
        "--merge",
        metavar="TS",
        action="append",
        default=[],
        help="also reuse the translations of this .ts file (e.g. another branch's, after a "
        "merge conflict in the .ts)",
    )
    args = p.parse_args()
    status = 0
    for lang in LANGUAGES:
        ts = I18N / f"sastre_{lang}.ts"
        if args.check:  # work on copies: the check changes nothing
            tmp = Path(tempfile.mkdtemp())
            shutil.copy(ts, tmp / ts.name)
            ts = tmp / ts.name
            update(ts, tmp / GENERATED.name)
        else:
            update(ts, also=[Path(p) for p in args.merge])
        missing = unfinished(ts)
        for text in missing:
            print(f"{lang}: untranslated: {text!r}")
        if missing:
            status = 1
        if not args.check:
            print(f"{release(ts).relative_to(ROOT)}: {len(missing)} untranslated")
    return status


if __name__ == "__main__":
    sys.exit(main())
