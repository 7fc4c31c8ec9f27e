"""How a document's pages are filled, measured on the laid-out pages the PDF is written from:
how full each page is, the body rows of every table on each page, and what ends each page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers import ROOT

__all__ = ["PageLayout", "layout_problems", "measure"]

TEMPLATES = ROOT / "templates"


@dataclass
class PageLayout:
    number: int
    fill: float
    """How far down the page's content area its lowest box reaches (0 to 1)."""
    table_rows: dict[int, int] = field(default_factory=dict)
    """Body rows on this page, by table (numbered in document order)."""
    last_block: str = ""
    """The tag of the last block on the page (``h2``, ``p``, ``table`` ...)."""


def _walk(box: Any, parents: tuple[Any, ...] = ()) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    yield box, parents
    for child in getattr(box, "children", ()):
        yield from _walk(child, (*parents, box))


def measure(html: str, base_url: Path = TEMPLATES) -> list[PageLayout]:
    import weasyprint
    from weasyprint.formatting_structure import boxes

    document = weasyprint.HTML(string=html, base_url=str(base_url) + "/").render()
    tables: dict[Any, int] = {}
    pages = []
    for number, page in enumerate(document.pages, start=1):
        root = page._page_box
        top = root.content_box_y()
        height = root.height
        bottom = top
        layout = PageLayout(number, 0.0)
        last: tuple[float, str] = (top, "")
        for box, parents in _walk(root):
            if any(isinstance(parent, boxes.MarginBox) for parent in (*parents, box)):
                continue
            if isinstance(box, boxes.TableRowBox) and parents[-1].element_tag == "tbody":
                table = parents[-2].element
                index = tables.setdefault(table, len(tables))
                layout.table_rows[index] = layout.table_rows.get(index, 0) + 1
            if isinstance(box, (boxes.LineBox, boxes.ReplacedBox)) or (
                    isinstance(box, boxes.BlockLevelBox) and not box.children):
                bottom = max(bottom, box.position_y + box.margin_height())
            if isinstance(box, boxes.BlockLevelBox) and box.element_tag not in (
                    "html", "body", "main"):
                end = box.position_y + box.margin_height()
                if end >= last[0]:
                    last = (end, box.element_tag)
        layout.fill = (bottom - top) / height if height else 0.0
        layout.last_block = last[1]
        pages.append(layout)
    return pages


def layout_problems(html: str, *, min_rows: int = 3, min_fill: float = 0.25,
                    base_url: Path = TEMPLATES) -> list[str]:
    """What breaks the house rules: a table split after one row or leaving fewer than
    ``min_rows`` rows on a page, a heading at the foot of a page, a page (not the last)
    less than ``min_fill`` full."""
    pages = measure(html, base_url)
    problems = []
    spans: dict[int, list[tuple[int, int]]] = {}
    for page in pages:
        for table, rows in page.table_rows.items():
            spans.setdefault(table, []).append((page.number, rows))
        if page.number < len(pages) and page.fill < min_fill:
            problems.append(f"page {page.number} is only {page.fill:.0%} full")
        if page.number < len(pages) and page.last_block in ("h1", "h2", "h3"):
            problems.append(f"page {page.number} ends with a heading")
    for table, parts in spans.items():
        if len(parts) < 2:
            continue
        for number, rows in parts:
            if rows < min_rows:
                problems.append(f"table {table + 1} has {rows} row(s) on page {number} "
                                f"of its {len(parts)} pages")
    return problems
