"""Rebuild bench/rag_hard/docs/ from Debian package changelogs installed on this machine.

Each release entry of a package's changelog.Debian.gz becomes its own file, named only
by its position (release-07.txt): a folder of near-identical release notes whose version
appears once, on the first line. glib's and perl's entries become PDFs with one entry
per page (made with fpdf2). The Spanish minutes in docs/es-actas/ were written for this
set and are not rebuilt. The documents are committed; this script records where they
came from. Run: python bench/rag_hard/build_corpus.py
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent / "docs"
SHARE = Path("/usr/share/doc")
PER_PACKAGE = 20
TEXT_PACKAGES = ("tzdata", "curl", "openssl", "python3.11", "sqlite3", "coreutils")
PDF_PACKAGES = {"libglib2.0-0": 14, "perl": 20}
_ENTRY = re.compile(r"^(?=\S+ \([^)]+\) [^;]+; urgency=)", re.M)


def entries(package: str) -> list[str]:
    text = gzip.decompress((SHARE / package / "changelog.Debian.gz").read_bytes()).decode()
    out = []
    for part in _ENTRY.split(text):
        part = part.strip()
        body = "\n".join(part.splitlines()[1:-1]).strip()
        if part and len(body) >= 100:  # "New upstream release." alone says nothing
            out.append(part + "\n")
    return out


def entries_pdf(parts: list[str], title: str, out: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(title)
    for part in parts:
        pdf.add_page()
        pdf.set_font("courier", size=9)
        for line in part.splitlines():
            text_line = line.encode("latin-1", "replace").decode("latin-1") or " "
            pdf.multi_cell(0, 4.5, text_line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(out))


def main() -> int:
    for package in TEXT_PACKAGES:
        folder = DOCS / package
        folder.mkdir(parents=True, exist_ok=True)
        for i, part in enumerate(entries(package)[:PER_PACKAGE], 1):
            (folder / f"release-{i:02d}.txt").write_text(part, encoding="utf-8")
    for package, n in PDF_PACKAGES.items():
        entries_pdf(entries(package)[:n], f"{package} Debian changelog", DOCS / f"{package}.pdf")
    print(f"wrote {sum(1 for p in DOCS.rglob('*') if p.is_file())} files under {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
