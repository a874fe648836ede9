"""The `portal` command: validate content, build and export the site."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from portal.loader import check


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def describe_summary(summary: dict[str, int]) -> str:
    return (f"{_plural(summary['policies'], 'policy').replace('policys', 'policies')} in "
            f"{_plural(summary['categories'], 'category').replace('categorys', 'categories')}, "
            f"{_plural(summary['modules'], 'training module')} ({_plural(summary['questions'], 'quiz question')}), "
            f"{_plural(summary['certifications'], 'certification type')}, {_plural(summary['roles'], 'role')}, "
            f"{_plural(summary['locations'], 'location')}")


def cmd_validate(args: argparse.Namespace) -> int:
    report = check(args.dir)
    files_with_problems = len({p.path for p in report.problems})
    if args.format == "json":
        print(json.dumps({
            "ok": report.ok,
            "files": report.files,
            "count": len(report.problems),
            "problems": [p.as_dict() for p in report.problems],
            "summary": report.catalogue.summary() if report.catalogue else None,
        }, indent=2))
        return 0 if report.ok else 1
    for problem in report.problems:
        print(problem)
    if report.ok:
        print(f"OK: {_plural(report.files, 'file')} checked: {describe_summary(report.catalogue.summary())}.")
        return 0
    print(f"{_plural(len(report.problems), 'problem')} in {_plural(files_with_problems, 'file')}.")
    return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal", description="Clinic Portal content tools.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    validate = commands.add_parser("validate", help="check every content file and report all problems")
    validate.add_argument("dir", nargs="?", default=".", type=Path,
                          help="folder holding policies/ and training/ (default: current folder)")
    validate.add_argument("--format", choices=("text", "json"), default="text")
    validate.set_defaults(handler=cmd_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
