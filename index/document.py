"""What every reader returns: a document as an ordered list of paragraphs and tables.

Readers differ in what they can see (a .docx has real tables, a .txt only text), but the parser
works on this one shape, so it never needs to know which file format a report came in.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Paragraph:
    """One paragraph or heading of running text."""

    text: str


@dataclass(frozen=True)
class Table:
    """A table as rows of cell texts.

    ``grid`` is True when column positions are reliable (a .docx/.html/.pdf table whose cells
    sit in a real grid); text layouts pasted from Word lose cells and shift rows, so for them
    the parser trusts labels and arithmetic rather than positions.
    """

    rows: tuple[tuple[str, ...], ...]
    grid: bool = False


Block = Paragraph | Table


@dataclass(frozen=True)
class Document:
    """A read file: its blocks in reading order, and where it came from."""

    blocks: tuple[Block, ...]
    source_name: str
    sha256: str
    format: str  # "txt", "md", "docx", "html", "pdf", "doc"
    notes: tuple[str, ...] = field(default=())  # e.g. "converted from .doc by LibreOffice"

    def text(self) -> str:
        """Return all text, tables flattened one row a line, for passage search and sniffing."""
        lines: list[str] = []
        for block in self.blocks:
            if isinstance(block, Paragraph):
                lines.append(block.text)
            else:
                lines.extend("\t".join(row) for row in block.rows)
        return "\n".join(lines)
