"""Secrets never reach the index unless the user says so: private keys, cloud keys, tokens,
and passwords in env/config files are found before chunking and embedding.

Each collection has a policy (a setting, default "skip"):
  skip    a file that holds a secret is not indexed; the report says which secret, where
  redact  the secret values are replaced by "[redacted: KIND]" and the rest is indexed
  allow   files are indexed as they are (for a collection of the user's own config files)
Runs inside the parser worker processes, on parsed text, so PDFs and DOCX are covered too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

POLICIES = ("skip", "redact", "allow")
DEFAULT_POLICY = "skip"
_SETTING = "collection_secrets:{}"

# Names that only ever hold credentials: skipped by name, before anything is read.
_SECRET_NAMES = re.compile(
    r"^(?:\.env(?:\..+)?|\.envrc|id_(?:rsa|dsa|ecdsa|ed25519)|\.netrc|_netrc|\.pgpass|"
    r"\.git-credentials|\.pypirc|\.npmrc|\.dockercfg|credentials(?:\.json)?|"
    r"secrets?\.(?:ya?ml|json|toml|env)|.*\.(?:pem|key|p12|pfx|jks|keystore|kdbx|ppk|asc|gpg))$",
    re.IGNORECASE,
)
_PUBLIC_NAMES = re.compile(r"^\.env\.(?:example|sample|template|dist|defaults)$", re.I)
# Files where `password = ...` lines are configuration rather than prose.
_CONFIG_EXTS = {
    ".env",
    ".ini",
    ".cfg",
    ".conf",
    ".config",
    ".toml",
    ".yaml",
    ".yml",
    ".properties",
    ".json",
    ".xml",
    ".sh",
    ".bash",
    ".zsh",
    ".ps1",
    "",
}

# (kind, pattern, group holding the secret value: 0 = the whole match)
_TOKENS: list[tuple[str, re.Pattern[str], int]] = [
    (
        "private key",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----.*?"
            r"(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\Z)",
            re.S,
        ),
        0,
    ),
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA|AROA|AIDA)[0-9A-Z]{16}\b"), 0),
    (
        "AWS secret key",
        re.compile(
            r"(?i)aws_?secret_?(?:access_?)?key\W{0,4}([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"
        ),
        1,
    ),
    ("GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_\w{22,})"), 0),
    ("GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"), 0),
    ("Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), 0),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), 0),
    ("Stripe key", re.compile(r"\b[rs]k_live_[0-9A-Za-z]{20,}"), 0),
    ("API key", re.compile(r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{32,}"), 0),
    ("Hugging Face token", re.compile(r"\bhf_[A-Za-z0-9]{30,}\b"), 0),
    (
        "JSON web token",
        re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
        0,
    ),
    ("password in a URL", re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s:/@]+:([^\s/@]{3,})@"), 1),
]
_ASSIGNMENT = re.compile(
    r"""(?im)^[ \t]*(?:export[ \t]+)?["']?([\w.-]*(?:pass(?:word|wd|phrase)?|pwd|secret|token|"""
    r"""api[_-]?key|access[_-]?key|private[_-]?key|auth|credentials?)[\w.-]*)["']?[ \t]*[=:][ \t]*"""
    r"""["']?([^\s"'#,;]{4,})"""
)
_PLACEHOLDER = re.compile(
    r"^(?:[$%<{\[(]|\*+$|x+$|\.+$|changeme|change_me|secret|password|token|null|none|true|"
    r"false|your|example|placeholder|dummy|redacted|todo|xxx)",
    re.I,
)


@dataclass
class Finding:
    kind: str
    line: int  # 1-based, in the parsed text


class SecretsFound(Exception):
    """A file holds secrets and the collection's policy is skip (message for the report)."""


def policy_for(settings, collection: str) -> str:
    value = settings.get(_SETTING.format(collection))
    return value if value in POLICIES else DEFAULT_POLICY


def set_policy(settings, collection: str, policy: str) -> None:
    if policy not in POLICIES:
        raise ValueError(f"secrets policy must be one of {', '.join(POLICIES)}, not {policy!r}")
    settings.set(_SETTING.format(collection), policy)


def secret_file_name(path: str) -> bool:
    name = PurePath(path).name
    return bool(_SECRET_NAMES.match(name)) and not _PUBLIC_NAMES.match(name)


def _spans(text: str, config_like: bool) -> list[tuple[int, int, str]]:
    spans = []
    for kind, pattern, group in _TOKENS:
        for m in pattern.finditer(text):
            spans.append((m.start(group), m.end(group), kind))
    if config_like:
        for m in _ASSIGNMENT.finditer(text):
            if not _PLACEHOLDER.match(m.group(2)):
                kind = "password" if re.search("pass|pwd", m.group(1), re.I) else "secret value"
                spans.append((m.start(2), m.end(2), kind))
    spans.sort()
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in spans:
        if merged and start < merged[-1][1]:
            continue  # inside a secret already found (a key inside a private key block)
        merged.append((start, end, kind))
    return merged


def find(text: str, path: str) -> list[Finding]:
    """Secrets in a file's text, each with its kind and line."""
    config_like = PurePath(path).suffix.lower() in _CONFIG_EXTS or secret_file_name(path)
    return [
        Finding(kind, text.count("\n", 0, start) + 1)
        for start, _, kind in _spans(text, config_like)
    ]


def redact(text: str, path: str) -> tuple[str, list[Finding]]:
    config_like = PurePath(path).suffix.lower() in _CONFIG_EXTS or secret_file_name(path)
    spans = _spans(text, config_like)
    out, last = [], 0
    for start, end, kind in spans:
        out += [text[last:start], f"[redacted: {kind}]"]
        last = end
    out.append(text[last:])
    findings = [Finding(kind, text.count("\n", 0, start) + 1) for start, _, kind in spans]
    return "".join(out), findings


def describe(findings: list[Finding], limit: int = 3) -> str:
    """'AWS secret key (line 3), password (line 7) and 2 more'."""
    parts = [f"{f.kind} (line {f.line})" for f in findings[:limit]]
    more = f" and {len(findings) - limit} more" if len(findings) > limit else ""
    return ", ".join(parts) + more


def screen_blocks(blocks: list, path: str, policy: str, raw: str | None = None) -> str | None:
    """Apply the policy to parsed blocks in place; return a note for the report, if any.

    Raises SecretsFound under "skip". Block text is what gets chunked and embedded,
    so nothing found here reaches the index. `raw` (the file's text, for text
    formats) gives the line numbers the user sees in an editor.
    """
    if policy == "allow":
        return None
    if secret_file_name(path):
        if policy == "skip":
            raise SecretsFound(
                f"looks like a secrets file ({PurePath(path).name}), so it was not indexed; "
                "to index it anyway set this collection's secrets setting to redact or allow"
            )
    found: list[Finding] = []
    for block in blocks:
        if policy == "skip":
            if find(block.text, path):
                found = find(raw, path) if raw is not None else []
                found = found or find("\n\n".join(b.text for b in blocks), path)
                break
        else:
            block.text, hits = redact(block.text, path)
            found += hits
    if found and raw is not None and policy != "skip":
        found = find(raw, path) or found
    if not found:
        return None
    if policy == "skip":
        raise SecretsFound(
            f"holds secrets ({describe(found)}), so it was not indexed; to index the rest "
            "set this collection's secrets setting to redact (or allow)"
        )
    return f"secrets redacted before indexing: {describe(found)}"
