"""The `portal` command: validate content, build the site and export its Markdown."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from datetime import date
from pathlib import Path

import yaml

from portal import yamlio
from portal.fingerprint import fingerprint, module_text_fields, policy_text_fields
from portal.loader import Report, check


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
    if args.format == "json":
        print(json.dumps({
            "ok": report.ok,
            "files": report.files,
            "count": len(report.problems),
            "problems": [p.as_dict() for p in report.problems],
            "summary": report.catalogue.summary() if report.catalogue else None,
        }, indent=2))
        return 0 if report.ok else 1
    if not _print_problems(report) or report.catalogue is None:
        return 1
    print(f"OK: {_plural(report.files, 'file')} checked: {describe_summary(report.catalogue.summary())}.")
    return 0


def _print_problems(report: Report) -> bool:
    """Print each problem as path:line:column: message (hint); True when there is none."""
    for problem in report.problems:
        print(problem)
    if not report.ok:
        files = len({p.path for p in report.problems})
        print(f"{_plural(len(report.problems), 'problem')} in {_plural(files, 'file')}.")
    return report.ok


def _iso_date(value: str) -> str:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date; write it as YYYY-MM-DD") from None
    return value


class _WarningPrinter(logging.StreamHandler):
    """Prints MkDocs' warnings; added once, however many builds one process runs."""


def _show_mkdocs_warnings() -> None:
    """MkDocs logs its warnings; without a handler the Python API would drop them silently."""
    logger = logging.getLogger("mkdocs")
    if not any(isinstance(h, _WarningPrinter) for h in logger.handlers):
        handler = _WarningPrinter(sys.stderr)
        handler.setLevel(logging.WARNING)
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        logger.addHandler(handler)


def _config_file(args: argparse.Namespace) -> Path | None:
    if args.config_file:
        return args.config_file
    return next((c for c in (args.dir / "mkdocs.yml", Path("mkdocs.yml")) if c.is_file()), None)


def cmd_build(args: argparse.Namespace) -> int:
    started = time.monotonic()
    report = check(args.dir)
    if not _print_problems(report):
        return 1
    config_file = _config_file(args)
    if config_file is None:
        print(f"no mkdocs.yml in {args.dir} or the current folder; pass --config-file", file=sys.stderr)
        return 1
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # else Material prints a banner on import
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    _show_mkdocs_warnings()
    try:
        config = load_config(str(config_file), site_dir=str(args.site_dir.resolve()), strict=True)
        plugin = config.plugins.get("portal")
        if plugin is None:
            print(f"{config_file} does not list the 'portal' plugin under plugins:", file=sys.stderr)
            return 1
        plugin.config.content_dir = str(args.dir.resolve())
        plugin.preloaded = report.catalogue  # validated above: spare the plugin a second pass
        if args.today:
            plugin.config.today = args.today
        build(config)
    except MkDocsException as error:
        print(f"build failed: {error}", file=sys.stderr)
        return 1
    print(f"Built {_plural(plugin.page_count, 'page')} into {args.site_dir} "
          f"in {time.monotonic() - started:.1f} s.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Preview the site from mkdocs.yml, rebuilding after each save only the pages that changed."""
    config_file = args.config_file or Path("mkdocs.yml")
    if not config_file.is_file():
        print(f"{config_file} not found; pass --config-file", file=sys.stderr)
        return 1
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import MkDocsException

    logger = logging.getLogger("mkdocs")  # what `mkdocs serve` prints: the address, each rebuild
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        serve(str(config_file), dev_addr=args.dev_addr, build_type=None if args.full else "dirty")
    except MkDocsException as error:
        print(f"build failed: {error}", file=sys.stderr)
        return 1
    return 0


def cmd_export_markdown(args: argparse.Namespace) -> int:
    from portal.render.export import export_markdown

    report = check(args.dir)
    if not _print_problems(report) or report.catalogue is None:
        return 1
    today = date.fromisoformat(args.today) if args.today else date.today()
    written = export_markdown(report.catalogue, today, args.docs, args.outdir)
    print(f"Wrote {_plural(len(written), 'page')} to {args.outdir}.")
    return 0


def _fingerprinted_fields(path: Path) -> tuple[dict, str | None]:
    """The fields a file's fingerprint is computed from, and the fingerprint it states (a pack's
    *.fingerprint.json states one; a policy or module YAML file does not)."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".json":
        data = json.loads(text)
        return (data["fields"], data.get("fingerprint")) if "fields" in data else (data, None)
    data = yamlio.parse(text)
    if isinstance(data, dict) and "body" in data:
        return policy_text_fields(data), None
    if isinstance(data, dict) and "quiz" in data:
        return module_text_fields(data), None
    raise ValueError("it is neither a policy (with a body) nor a training module (with a quiz)")


def cmd_fingerprint(args: argparse.Namespace) -> int:
    """Print the fingerprint of a policy or module file, or of an evidence pack's *.fingerprint.json."""
    try:
        fields, stated = _fingerprinted_fields(args.file)
        value = fingerprint(fields)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError, yaml.YAMLError) as error:
        reason = f"it has no field {error}" if isinstance(error, KeyError) else str(error)
        print(f"{args.file}: cannot compute a fingerprint: {reason} (check it with `portal validate`)",
              file=sys.stderr)
        return 1
    print(f"{value}  {args.file}")
    if stated is not None and stated != value:
        print(f"{args.file} states fingerprint {stated}, but its fields give {value}: it was changed",
              file=sys.stderr)
        return 1
    return 0


def cmd_archive(args: argparse.Namespace) -> int:
    """Keep the current text of a policy under policies/archive/, before editing it for a new version."""
    from portal import archive

    report = check(args.dir)
    if not _print_problems(report) or report.catalogue is None:
        return 1
    policy = report.catalogue.policies.get(args.policy_id)
    if policy is None:
        print(f"there is no policy '{args.policy_id}' in {args.dir}; use the id: line of its file", file=sys.stderr)
        return 1
    try:
        rel, written = archive.write(args.dir, policy)
    except (archive.ArchiveExists, OSError) as error:
        print(f"cannot archive version {policy.version} of '{policy.id}': {error}", file=sys.stderr)
        return 1
    print(f"{'Archived' if written else 'Already archived:'} version {policy.version} of '{policy.id}' "
          f"{'to ' if written else ''}{rel}. Now edit the policy, raise its version and add a history entry; "
          "its page will show what changed.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal", description="Clinic Portal content tools.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    validate = commands.add_parser("validate", help="check every content file and report all problems")
    validate.add_argument("dir", nargs="?", default=".", type=Path,
                          help="folder holding policies/ and training/ (default: current folder)")
    validate.add_argument("--format", choices=("text", "json"), default="text")
    validate.set_defaults(handler=cmd_validate)

    build = commands.add_parser("build", help="validate, then build the static site with MkDocs")
    build.add_argument("dir", nargs="?", default=Path("."), type=Path,
                       help="folder holding policies/ and training/ (default: current folder)")
    build.add_argument("--site-dir", default=Path("site"), type=Path, help="output folder (default: site)")
    build.add_argument("--config-file", type=Path,
                       help="MkDocs configuration (default: DIR/mkdocs.yml, else ./mkdocs.yml)")
    build.add_argument("--today", type=_iso_date, help="date the review page counts from (default: today)")
    build.set_defaults(handler=cmd_build)

    serve = commands.add_parser("serve", help="preview the site; a saved change shows in about a second")
    serve.add_argument("--config-file", type=Path, help="MkDocs configuration (default: ./mkdocs.yml); "
                       "its portal plugin's content_dir says where the content is")
    serve.add_argument("--dev-addr", metavar="IP:PORT", help="address to serve on (default: 127.0.0.1:8000)")
    serve.add_argument("--full", action="store_true", help="rebuild the whole site after each change")
    serve.set_defaults(handler=cmd_serve)

    export = commands.add_parser("export-markdown",
                                 help="write the generated Markdown and docs/ to a folder, for any site generator")
    export.add_argument("outdir", type=Path, help="folder to write into")
    export.add_argument("dir", nargs="?", default=Path("."), type=Path,
                        help="folder holding policies/ and training/ (default: current folder)")
    export.add_argument("--docs", default=Path("docs"), type=Path,
                        help="hand-written pages to copy along (default: docs)")
    export.add_argument("--today", type=_iso_date, help="date the review page counts from (default: today)")
    export.set_defaults(handler=cmd_export_markdown)

    fingerprint_command = commands.add_parser(
        "fingerprint", help="print the fingerprint of a policy or module file (or an evidence pack's "
                            "*.fingerprint.json), to compare with the site's and the tracker's")
    fingerprint_command.add_argument("file", type=Path, help="policies/<category>/<id>.yml, training/<id>.yml, ...")
    fingerprint_command.set_defaults(handler=cmd_fingerprint)

    archive = commands.add_parser("archive", help="keep a policy's current text under policies/archive/ "
                                  "before editing it, so its page can show what changed")
    archive.add_argument("policy_id", help="the policy's id (the id: line of its file)")
    archive.add_argument("dir", nargs="?", default=Path("."), type=Path,
                         help="folder holding policies/ and training/ (default: current folder)")
    archive.set_defaults(handler=cmd_archive)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
