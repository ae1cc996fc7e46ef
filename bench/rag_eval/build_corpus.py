"""Rebuild bench/rag_eval/docs/ from documentation installed on a Debian machine.

The documents are committed; this script records where each came from (and
re-creates the PDFs made with fpdf2 and the DOCX made with python-docx, which
keep pages / headings). Run: python bench/rag_eval/build_corpus.py
"""

from __future__ import annotations

import gzip
import re
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent / "docs"
SHARE = Path("/usr/share/doc")
LICENSES = Path("/usr/share/common-licenses")

COPY = {
    # name in the corpus: source file (.gz is decompressed)
    "shared-mime-info-spec.pdf": SHARE / "shared-mime-info/shared-mime-info-spec.pdf",
    "libtasn1-manual.pdf": SHARE / "libtasn1-doc/libtasn1.pdf",
    "gpl-3.0.txt": LICENSES / "GPL-3",
    "gzip-NEWS": SHARE / "gzip/NEWS.gz",
    "diffutils-NEWS": SHARE / "diffutils/NEWS.gz",
    "dpkg-triggers.txt": SHARE / "dpkg/spec/triggers.txt",
    "dpkg-rootless-builds.txt": SHARE / "dpkg/spec/rootless-builds.txt",
    "pip-https-certificates.md": SHARE / "python3-pip/html/topics/https-certificates.md",
    "pip-configuration.md": SHARE / "python3-pip/html/topics/configuration.md.gz",
    "pip-caching.md": SHARE / "python3-pip/html/topics/caching.md.gz",
    "pip-repeatable-installs.md": SHARE / "python3-pip/html/topics/repeatable-installs.md",
    "pip-vcs-support.md": SHARE / "python3-pip/html/topics/vcs-support.md.gz",
    "systemd-uids-gids.md": SHARE / "systemd/UIDS-GIDS.md.gz",
    "systemd-environment.md": SHARE / "systemd/ENVIRONMENT.md.gz",
    "procps-bugs.md": SHARE / "procps/bugs.md",
    "zstd-testing.md": SHARE / "zstd/TESTING.md",
    "libffi-closure-api.html": SHARE / "libffi8/html/The-Closure-API.html",
    "libffi-memory-usage.html": SHARE / "libffi8/html/Memory-Usage.html",
    "libffi-thread-safety.html": SHARE / "libffi8/html/Thread-Safety.html",
    "libffi-multiple-abis.html": SHARE / "libffi8/html/Multiple-ABIs.html",
    "libffi-simple-example.html": SHARE / "libffi8/html/Simple-Example.html",
    "debian-users-and-groups.html": SHARE / "base-passwd/users-and-groups.html",
    "textwrap.py": Path(shutil.which("python3") or "/usr/bin/python3").resolve().parent.parent
    / "lib/python3.11/textwrap.py",
}
PDF_FROM_TEXT = {
    "apache-2.0.pdf": LICENSES / "Apache-2.0",
    "mpl-2.0.pdf": LICENSES / "MPL-2.0",
}
DOCX_FROM_MARKDOWN = {"systemd-coding-style.docx": SHARE / "systemd/CODING_STYLE.md.gz"}


def read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def text_pdf(text: str, out: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_font("helvetica", size=10)
    pdf.add_page()
    for line in text.splitlines():
        text_line = line.encode("latin-1", "replace").decode("latin-1") or " "
        pdf.multi_cell(0, 5, text_line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(out))


def markdown_docx(text: str, out: Path) -> None:
    import docx

    d = docx.Document()
    para: list[str] = []

    def flush():
        if para:
            d.add_paragraph(" ".join(para))
            para.clear()

    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)  # YAML front matter
    for line in text.splitlines():
        m = re.match(r"^(#{1,4})\s+(.*)", line)
        if m:
            flush()
            d.add_heading(m.group(2).strip(), level=len(m.group(1)))
        elif not line.strip():
            flush()
        else:
            para.append(line.strip())
    flush()
    d.save(str(out))


def main() -> int:
    DOCS.mkdir(parents=True, exist_ok=True)
    for name, src in COPY.items():
        (DOCS / name).write_bytes(read(src))
    for name, src in PDF_FROM_TEXT.items():
        text_pdf(read(src).decode(), DOCS / name)
    for name, src in DOCX_FROM_MARKDOWN.items():
        markdown_docx(read(src).decode(), DOCS / name)
    total = sum(p.stat().st_size for p in DOCS.iterdir())
    print(f"{len(list(DOCS.iterdir()))} documents, {total / 1e6:.2f} MB in {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
