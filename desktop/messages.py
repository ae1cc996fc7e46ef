"""Error messages as the app shows them: advice to run a command becomes where to go instead.

The engine's errors are written for both front ends and often end with the CLI's
fix ("Run `sastre models list`", "use another --data-dir"). In the app, a sentence
that names a command or an option is replaced by the place in the window that
does the same (once per place), translated; the rest of the message is kept as is.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z`(])")
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


def for_people(message: str) -> str:
    """`message` without CLI advice: each sentence naming a command or option is replaced by
    the app's place for it (or dropped when there is none)."""
    if not _CLI.search(message):
        return message
    kept: list[str] = []
    places: list[str] = []
    for sentence in _SENTENCE.split(message.strip()):
        if not _CLI.search(sentence):
            kept.append(sentence)
            continue
        before = _before_command(sentence)
        if before:
            kept.append(before)
        for pattern, place in PLACES:
            if pattern.search(sentence) and place not in places:
                places.append(place)
                break
    hints = [QCoreApplication.translate("Messages", p) for p in places]
    return " ".join(kept + hints) or message
