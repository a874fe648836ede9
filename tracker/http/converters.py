"""URL converters shared by pages and API: what a content id or a row id in a path may be.

Anything else in their place is a 404 from routing, before it can reach a query.
"""

from __future__ import annotations

import json

from flask import Flask
from werkzeug.routing import BaseConverter, IntegerConverter, Map

from portal.schema import schema_text
from tracker.storage.db import MAX_ID


class SlugConverter(BaseConverter):
    """Content ids as the content schema defines them (portal's defs.schema.json slug)."""

    regex = (json.loads(schema_text("defs"))["$defs"]["slug"]["pattern"]
             .removeprefix("^").removesuffix("$").replace("(", "(?:"))


class IdConverter(IntegerConverter):
    """Row ids, ``<id:name>``: digits up to the largest id a database integer holds.

    A larger number would overflow the column's type in the query (an error on PostgreSQL).
    """

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, max=MAX_ID)


def init_app(app: Flask) -> None:
    app.url_map.converters["slug"] = SlugConverter
    app.url_map.converters["id"] = IdConverter
