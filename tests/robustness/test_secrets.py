"""Secrets are found before chunking and embedding: skipped (default), redacted, or allowed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.rag import Library, RagConfig, secrets
from store import Store
from tests.fakes import HashEmbedder

AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
AWS_ID = "AKIAIOSFODNN7EXAMPLE"
GH_TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
PASSWORD = "Tr0ub4dor-and-3"
PEM = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n"
    "-----END OPENSSH PRIVATE KEY-----\n"
)
SECRET_VALUES = [
    AWS_SECRET,
    AWS_ID,
    GH_TOKEN,
    PASSWORD,
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ",
]


def make_folder(root: Path) -> Path:
    root.mkdir()
    (root / ".env").write_text(f"DATABASE_URL=postgres://app:{PASSWORD}@db/app\nDEBUG=1\n")
    (root / "id_rsa").write_text(PEM)
    (root / "server.pem").write_text(PEM)
    (root / "config.ini").write_text(f"[db]\nhost = localhost\npassword = {PASSWORD}\n")
    (root / "notes.md").write_text(
        "# Deploy notes\n\nThe deploy goes through the staging bucket first.\n\n"
        f"aws_access_key_id = {AWS_ID}\naws_secret_access_key = {AWS_SECRET}\n\n"
        f"CI uses the token {GH_TOKEN} for releases.\n"
    )
    (root / "settings.yaml").write_text("password: ${DB_PASSWORD}\ntoken: changeme\n")
    (root / "readme.md").write_text("# Readme\n\nHow to deploy: run the release script.\n")
    return root


@pytest.fixture
def lib(tmp_path):
    data = tmp_path / "data"
    store = Store.open(data)
    library = Library(
        store,
        data,
        config=RagConfig(workers=1),
        embedder_factory=lambda name: HashEmbedder(64, model_id="test/hash-64"),
    )
    yield library
    store.close()


def outcomes(report) -> dict[str, tuple[str, str | None]]:
    return {os.path.basename(f.path): (f.status, f.reason) for f in report.files}


def db_bytes(lib) -> bytes:
    lib.store.db.scrub()
    return b"".join(p.read_bytes() for p in Path(lib.store.db.path).parent.glob("sastre.db*"))


def test_by_default_files_with_secrets_are_skipped_with_the_reason(lib, tmp_path):
    folder = make_folder(tmp_path / "docs")
    report = lib.index([folder, folder / ".env"])
    out = outcomes(report)
    assert out[".env"][0] == "skipped" and "secrets file (.env)" in out[".env"][1]
    assert out["id_rsa"][0] == "skipped" and "secrets file" in out["id_rsa"][1]
    assert out["server.pem"] == ("skipped", "looks like a secrets file (.pem); never indexed")
    assert out["config.ini"][0] == "skipped" and "password (line 3)" in out["config.ini"][1]
    status, reason = out["notes.md"]
    assert status == "skipped" and "AWS access key id (line 5)" in reason
    assert "AWS secret key (line 6)" in reason and "GitHub token (line 8)" in reason
    assert out["settings.yaml"][0] == "indexed"  # placeholders are not secrets
    assert out["readme.md"][0] == "indexed"
    texts = [h.text for h in lib.search("staging bucket aws secret key")]
    assert texts and not any("staging" in t for t in texts)
    data = db_bytes(lib)
    for value in SECRET_VALUES:
        assert value.encode() not in data, value


def test_redact_policy_indexes_the_rest_and_says_what_was_redacted(lib, tmp_path):
    folder = make_folder(tmp_path / "docs")
    secrets.set_policy(lib.store.settings, "default", "redact")
    out = outcomes(lib.index([folder, folder / ".env"]))
    assert out["notes.md"][0] == "indexed"
    assert "secrets redacted before indexing: AWS access key id (line 5)" in out["notes.md"][1]
    assert out["config.ini"][0] == "indexed" and "password (line 3)" in out["config.ini"][1]
    hits = lib.search("staging bucket deploy")
    assert hits and "[redacted: AWS secret key]" in "".join(h.text for h in hits)
    data = db_bytes(lib)
    for value in SECRET_VALUES:
        assert value.encode() not in data, value


def test_allow_policy_is_an_explicit_per_collection_choice(lib, tmp_path):
    folder = make_folder(tmp_path / "docs")
    secrets.set_policy(lib.store.settings, "mine", "allow")
    out = outcomes(lib.index([folder / "notes.md"], collection="mine"))
    assert out["notes.md"] == ("indexed", None)
    assert lib.search(AWS_SECRET, collection="mine", mode="bm25")
    out = outcomes(lib.index([folder / "notes.md"]))  # the default collection still skips
    assert out["notes.md"][0] == "skipped"
    with pytest.raises(ValueError, match="skip, redact, allow"):
        secrets.set_policy(lib.store.settings, "mine", "sometimes")


@pytest.mark.parametrize(
    "text, kind",
    [
        ("key: AIzaSyA1234567890abcdefghijklmnopqrstuv", "Google API key"),
        ("slack xoxb-123456789012-abcdefghijkl", "Slack token"),
        ("url https://bob:hunter22@example.com/x", "password in a URL"),
        (
            "Authorization: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnop",
            "JSON web token",
        ),
        ("sk-proj-" + "A" * 40, "API key"),
    ],
)
def test_token_kinds_are_found_in_prose(text, kind):
    assert [f.kind for f in secrets.find(text, "notes.md")] == [kind]


def test_prose_about_passwords_is_not_a_secret():
    text = "Choose a password: at least 12 characters.\nThe token bucket algorithm limits rates."
    assert secrets.find(text, "guide.md") == []
