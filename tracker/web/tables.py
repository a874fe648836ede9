"""Tables a manager can sort and filter without JavaScript: every choice is a query parameter.

``?sort=<column>&dir=asc|desc`` orders the rows (each column header is a link that sets them, with
``aria-sort`` on the sorted one), ``?q=`` keeps the rows whose text contains the words typed, and one
select (e.g. ``?status=`` or ``?kind=``) keeps the rows of one kind. A long table shows a page of
rows at a time (``?page=``), so a practice of thousands does not get a page of tens of thousands of
rows. A value the page did not offer (a hand-edited address) is ignored: the table shows as it would
without it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import url_for

SORT, DIRECTION, QUERY, PAGE = "sort", "dir", "q", "page"
ASCENDING, DESCENDING = "asc", "desc"


@dataclass(frozen=True)
class Column:
    key: str  # the value of ?sort=
    label: str
    sort_key: Callable[[Any], Any] | None = None  # None: not sortable


@dataclass(frozen=True)
class Choice:
    """The table's one select filter: the parameter, its label, and (value, label, test) per option."""
    name: str
    label: str
    any_label: str
    options: Sequence[tuple[str, str, Callable[[Any], bool]]]


@dataclass
class Table:
    endpoint: str
    anchor: str  # the id of the table's section, so each link comes back to it
    columns: list[Column]
    rows: list[Any]  # the rows of this page
    total: int  # rows before filtering
    matched: int  # rows after filtering, on every page
    sort: str
    descending: bool
    query: str
    choice: Choice | None
    chosen: str
    keep: dict[str, str] = field(default_factory=dict)  # other parameters every link carries (as_of)
    page: int = 1
    pages: int = 1
    page_size: int | None = None

    @property
    def first_shown(self) -> int:
        return (self.page - 1) * (self.page_size or 0) + 1 if self.rows else 0

    @property
    def last_shown(self) -> int:
        return self.first_shown + len(self.rows) - 1 if self.rows else 0

    def page_url(self, number: int) -> str:
        """The same rows, sorted and filtered as now, on page ``number``."""
        return self._url(**{PAGE: str(number)})

    def _url(self, **changes: str) -> str:
        args: dict[str, Any] = {**self.keep, SORT: self.sort, DIRECTION: DESCENDING if self.descending else ASCENDING}
        if self.query:
            args[QUERY] = self.query
        if self.choice and self.chosen:
            args[self.choice.name] = self.chosen
        args.update(changes)
        return url_for(self.endpoint, **args) + f"#{self.anchor}"

    def sort_url(self, column: Column) -> str:
        """The header's link: this column ascending, or the other way when it is the one sorted."""
        ascending = column.key != self.sort or self.descending
        return self._url(**{SORT: column.key, DIRECTION: ASCENDING if ascending else DESCENDING})

    def aria_sort(self, column: Column) -> str | None:
        if column.key != self.sort:
            return None
        return "descending" if self.descending else "ascending"

    @property
    def filtered(self) -> bool:
        return bool(self.query or self.chosen)

    def clear_url(self) -> str:
        args: dict[str, Any] = dict(self.keep)
        return url_for(self.endpoint, **args) + f"#{self.anchor}"


def _text_matches(words: list[str], text: str) -> bool:
    lowered = text.casefold()
    return all(word in lowered for word in words)


def table(rows: Iterable[Any], columns: list[Column], args: Mapping[str, str], *, endpoint: str, anchor: str,
          default_sort: str, text: Callable[[Any], str], choice: Choice | None = None,
          keep: Mapping[str, str] | None = None, default_descending: bool = False,
          page_size: int | None = None) -> Table:
    """The rows as the query string asks: filtered by ``q`` (matched against ``text(row)``) and the
    choice, sorted by the chosen column, then ``page_size`` of them from the page asked for (all when None)."""
    everything = list(rows)
    sortable = {c.key: c for c in columns if c.sort_key is not None}
    sort = args.get(SORT, "")
    if sort not in sortable:
        sort, descending = default_sort, default_descending
    else:
        descending = args.get(DIRECTION) == DESCENDING
    query = args.get(QUERY, "").strip()[:100]
    words = query.casefold().split()
    tests = {value: test for value, _label, test in choice.options} if choice else {}
    chosen = args.get(choice.name, "") if choice else ""
    chosen = chosen if chosen in tests else ""
    shown = [row for row in everything
             if (not words or _text_matches(words, text(row))) and (not chosen or tests[chosen](row))]
    key = sortable[sort].sort_key
    assert key is not None
    shown.sort(key=key, reverse=descending)
    pages = max(1, math.ceil(len(shown) / page_size)) if page_size else 1
    page = _page(args.get(PAGE, ""), pages)
    on_page = shown[(page - 1) * page_size: page * page_size] if page_size else shown
    return Table(endpoint, anchor, columns, on_page, len(everything), len(shown), sort, descending, query, choice,
                 chosen, dict(keep or {}), page, pages, page_size)


def _page(asked: str, pages: int) -> int:
    """The page asked for; the first for anything else, and the last for one past it (the rows may have
    shrunk since the link was made)."""
    if not asked.isdigit() or int(asked) < 1:
        return 1
    return min(int(asked), pages)
