"""The documentation stays true to the code: every field code is documented."""
from __future__ import annotations

from pathlib import Path

from index.lexicon import load_lexicon

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_schema_lists_every_field_and_applicant_code() -> None:
    schema = (DOCS / "schema.md").read_text(encoding="utf-8")
    lexicon = load_lexicon()
    missing = [f.code for f in lexicon.fields if f"`{f.code}`" not in schema]
    missing += [a.code for a in lexicon.applicants if f"`{a.code}`" not in schema]
    assert missing == []
