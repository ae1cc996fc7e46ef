"""Error messages as the app shows them: in the app's language, with no CLI advice.

The engine's errors are written in English for both front ends and often end with
the CLI's fix ("Run `sastre models list`", "use another --data-dir"). In the app, a
sentence that names a command or an option is replaced by the place in the window
that does the same (once per place); every other sentence is translated.

Translation works on the message, not on the code that raised it: the engine's
message templates (each f-string of an error, its values as {0}, {1}, ...) are
collected sentence by sentence from engine/ and store/ by scripts/translations.py
into desktop/_strings_generated.py, where lupdate finds them. A sentence of a
message is matched against those templates; the translation is filled with the
values it carried, and a value that is itself a message (a reason inside a
sentence) is translated the same way. A sentence no template matches stays as
written.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z`(])")
# Templates split where a message would: a placeholder may start a sentence.
TEMPLATE_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z`({])")
CONTEXT = "EngineMessages"  # the translation context of the engine's sentences
_QUOTES = "'`\""  # a value in quotes is a name or a path: never translated
_CLI = re.compile(r"`sastre\b|\bsastre (?:[a-z]+ )*--|(?<![\w-])--[a-z][\w-]*|SASTRE_HOME")
# The command's group -> where the app does it.
PLACES = (
    (
        re.compile(r"sastre (?:models|quantize|pull)\b"),
        QT_TRANSLATE_NOOP("Messages", "See the Models tab."),
    ),
    (
        re.compile(r"sastre (?:index|docs|collections|search|ask)\b"),
        QT_TRANSLATE_NOOP("Messages", "See the Library tab."),
    ),
    (
        re.compile(r"sastre (?:train|adapters|datasets|eval)\b|--resume"),
        QT_TRANSLATE_NOOP("Messages", "See the Training tab."),
    ),
    (re.compile(r"sastre personas\b"), QT_TRANSLATE_NOOP("Messages", "See the Personas tab.")),
    (re.compile(r"sastre memory\b"), QT_TRANSLATE_NOOP("Messages", "See the Memory tab.")),
    (
        re.compile(r"sastre (?:chats|chat|feedback)\b"),
        QT_TRANSLATE_NOOP("Messages", "See the chats in the sidebar."),
    ),
    (
        re.compile(r"--data-dir|SASTRE_HOME"),
        QT_TRANSLATE_NOOP("Messages", "Choose another data folder in Settings."),
    ),
)


def _before_command(sentence: str) -> str:
    """The clauses of a sentence before the one naming a command ("Pick another name, or
    edit it with `sastre …`" -> "Pick another name."), or "" when there is too little."""
    parts = re.split(r"(,? or |; |: |, )", sentence)
    head = ""
    for i in range(0, len(parts), 2):
        if _CLI.search(parts[i]):
            break
        head += parts[i] + (parts[i + 1] if i + 1 < len(parts) else "")
    head = head.rstrip(" ,;:").removesuffix(" or").rstrip(" ,;:.")
    return head + "." if len(head.split()) >= 2 and head != sentence.rstrip(".") else ""


def names_command(sentence: str) -> bool:
    return bool(_CLI.search(sentence))


def template_sentences(template: str) -> list[str]:
    """The sentences of one engine message template that the app can show: those that
    name no command, and the part before the command of those that do."""
    out = []
    for sentence in TEMPLATE_SENTENCE.split(template.strip()):
        if names_command(sentence):
            sentence = _before_command(sentence)
        if len(re.sub(r"\{\d+\}|[^A-Za-z]", "", sentence)) >= 3:
            out.append(sentence)
    return out


class _Template:
    def __init__(self, source: str):
        self.source = source
        pattern, self.quoted = [], []
        for literal, field, _spec, _conv in string.Formatter().parse(source):
            pattern.append(re.escape(literal))
            if field is not None:
                pattern.append("(.*?)")
                self.quoted.append(literal[-1:] in _QUOTES if literal else False)
        self.regex = re.compile("".join(pattern), re.DOTALL)
        self.weight = len(re.sub(r"\{\d+\}", "", source))  # most literal text first


@lru_cache(maxsize=1)
def _templates() -> tuple[_Template, ...]:
    from desktop._strings_generated import ENGINE_MESSAGES

    return tuple(sorted(map(_Template, ENGINE_MESSAGES), key=lambda t: -t.weight))


def translate_sentence(sentence: str, depth: int = 0) -> str:
    """One sentence of an engine message in the app's language, or as it is."""
    for t in _templates():
        m = t.regex.fullmatch(sentence)
        if not m:
            continue
        target = QCoreApplication.translate(CONTEXT, t.source)
        if target == t.source:
            return sentence
        values = [
            v if quoted or depth >= 2 else translate_sentence(v, depth + 1)
            for v, quoted in zip(m.groups(), t.quoted, strict=True)
        ]
        try:
            return target.format(*values)
        except (IndexError, KeyError, ValueError):  # a damaged translation: keep the English
            return sentence
    return sentence


def for_people(message: str) -> str:
    """`message` in the app's language without CLI advice: each sentence naming a command
    or option is replaced by the app's place for it (or dropped when there is none), the
    others are translated. Lines stay lines."""
    places: list[str] = []
    lines = []
    for line in message.strip().split("\n"):
        kept: list[str] = []
        for sentence in _SENTENCE.split(line.strip()) if line.strip() else []:
            if not _CLI.search(sentence):
                kept.append(translate_sentence(sentence))
                continue
            before = _before_command(sentence)
            if before:
                kept.append(translate_sentence(before))
            for pattern, place in PLACES:
                if pattern.search(sentence) and place not in places:
                    places.append(place)
                    break
        if kept or not line.strip():
            lines.append(" ".join(kept))
    hints = [QCoreApplication.translate("Messages", p) for p in places]
    if hints:
        lines[-1:] = [" ".join(filter(None, [*lines[-1:], *hints]))]
    return "\n".join(lines).strip() or message
