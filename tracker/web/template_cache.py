"""Compiled templates kept on disk, so a fresh worker loads them instead of compiling them again.

Jinja compiles each template to Python on its first use in a process: about 0.1 s for the dashboard
and its macros, paid by every new worker (and every restart) on its first page. Jinja's bytecode
cache keeps the compiled code in a private folder of the system's temporary directory (created
owner-only, and refused if anyone else could write to it), keyed by template and checked against the
template's text, so an edited template is compiled afresh.
"""

from __future__ import annotations

import contextlib

from flask import Flask
from jinja2 import FileSystemBytecodeCache
from jinja2.bccache import Bucket


class _BestEffortCache(FileSystemBytecodeCache):
    """A cache that a full or read-only disk cannot break: the page is still drawn, compiled in memory."""

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def init_app(app: Flask) -> None:
    with contextlib.suppress(OSError, RuntimeError):  # no private temporary folder: compile in memory as before
        app.jinja_env.bytecode_cache = _BestEffortCache()
