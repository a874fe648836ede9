"""`portal validate` time against the floor: parse every file with PyYAML's C loader + jsonschema.

Run: .venv/bin/python benchmarks/bench_validate.py [--sizes 100 1000 3000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator, FormatChecker

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import write_content  # noqa: E402

from portal import schema  # noqa: E402
from portal.loader import check  # noqa: E402
from portal.yamlio import ContentLoader  # noqa: E402

KIND = {"office.yml": "office", "certifications.yml": "certifications"}


def floor(root: Path) -> None:
    """The least any validator must do: read, parse with the C loader, validate against the schema."""
    validators = {}
    for file in sorted(root.rglob("*.yml")):
        kind = KIND.get(file.name) or ("policy" if "policies" in file.parts else "module")
        if kind not in validators:  # compiled once, like the portal does
            validators[kind] = Draft202012Validator(schema.validator(kind).schema, registry=schema._registry(),
                                                    format_checker=FormatChecker())
        data = yaml.load(file.read_text("utf-8"), Loader=ContentLoader)  # noqa: S506 - safe loader
        list(validators[kind].iter_errors(data))


def timed(fn, root: Path, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(root)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 3000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"C loader: {yaml.__with_libyaml__}")
    print(f"{'policies':>8} | {'floor s':>8} | {'validate s':>10} | {'ratio':>5} | target <= 1.5")
    print("-" * 55)
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            root = write_content(Path(tmp) / f"c{size}", size)
            report = check(root)
            assert report.ok, report.problems[:3]
            base = timed(floor, root, args.repeat)
            ours = timed(check, root, args.repeat)
            print(f"{size:>8} | {base:>8.3f} | {ours:>10.3f} | {ours / base:>5.2f} | {'met' if ours <= 1.5 * base else 'MISSED'}")


if __name__ == "__main__":
    main()
