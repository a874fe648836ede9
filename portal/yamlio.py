"""YAML reading: fast parsing, and line numbers found only when a file needs them."""

from __future__ import annotations

import re
from collections.abc import Sequence

import yaml

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ContentLoader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader that keeps dates as text, so JSON Schema sees exactly what the author wrote, and
    reads only true and false as booleans (as YAML 1.2 does): yes, no, on and off stay words, so an
    office duty's ``every: {on: "01-31"}`` has the key ``on``."""


_DROPPED = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool"}
ContentLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
ContentLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                    list("tTfF"))


def parse(text: str):
    """Parse one YAML document. Raises yaml.YAMLError on bad syntax or several documents."""
    return yaml.load(text, Loader=ContentLoader)  # noqa: S506 - ContentLoader is a SafeLoader


def error_position(error: yaml.YAMLError) -> tuple[int, int]:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is None:
        return 1, 1
    return mark.line + 1, mark.column + 1


def error_text(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None)
    if problem and context:
        return f"{context}, {problem}"
    return problem or str(error).splitlines()[0]


def locate(text: str, path: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
    """Line and column (1-based) of the value at `path` (or of its key), as deep as it exists."""
    try:
        node = yaml.compose(text, Loader=ContentLoader)  # noqa: S506
    except yaml.YAMLError:
        return 1, 1
    if node is None:
        return 1, 1
    mark = node.start_mark
    for step in path:
        child = _child(node, step)
        if child is None:
            break
        key_node, node = child
        mark = key_node.start_mark if key and step == path[-1] and key_node else node.start_mark
    return mark.line + 1, mark.column + 1


def _child(node, step):
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == step:
                return key_node, value_node
    elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
        return None, node.value[step]
    return None
