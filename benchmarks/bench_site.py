"""`portal build` against the floor: a plain MkDocs + Material build of the same Markdown, same nav.

For each size the script writes synthetic content, exports its Markdown with `portal
export-markdown`, and writes a floor mkdocs.yml: this project's mkdocs.yml (theme, features,
extensions, search and tags plugins) without the portal plugin, with the nav the plugin would set.
Each build runs in its own process, floor and portal in turn; times are medians of --repeat runs.
Peak RSS is the build process's maximum resident set size.

Run: .venv/bin/python benchmarks/bench_site.py [--sizes 100 1000 3000] [--categories 20] [--repeat 3]
     [--policies-in-nav]  (every policy page in the sidebar, as before the nav listed categories only)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import write_content  # noqa: E402

from portal.loader import load_catalogue  # noqa: E402
from portal.render import site_nav  # noqa: E402
from portal.render.common import attr  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TODAY = "2026-04-01"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
MB = 1_000_000


def measure(command: list[str]) -> tuple[float, float, float]:
    """Run a build in its own process: (wall s, CPU s, peak RSS MB). Exits if the build fails."""
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        process = subprocess.Popen(command, env=ENV, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            log.seek(0)
            sys.exit(f"{' '.join(map(str, command))} failed:\n{log.read().decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024 / MB  # Linux counts KiB


def site_size(site: Path) -> float:
    return sum(f.stat().st_size for f in site.rglob("*") if f.is_file()) / MB


def project_config(policies_in_nav: bool) -> dict:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))
    config["docs_dir"] = str(ROOT / config.get("docs_dir", "docs"))
    config["theme"]["custom_dir"] = str(ROOT / config["theme"]["custom_dir"])
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "portal" in plugin:
            plugin["portal"]["policies_in_nav"] = policies_in_nav
    return config


def floor_config(content: Path, markdown: Path, policies_in_nav: bool) -> dict:
    """The project's mkdocs.yml without the portal plugin, over the exported Markdown, same nav."""
    catalogue = load_catalogue(content)
    config = project_config(policies_in_nav)
    config["plugins"] = [p for p in config["plugins"] if not (isinstance(p, dict) and "portal" in p)]
    config["docs_dir"] = str(markdown)
    config["site_name"] = attr(catalogue.settings.office_name)
    hand_written = sorted(p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md"))
    config["nav"] = site_nav(catalogue, hand_written, policy_pages=policies_in_nav)
    if not policies_in_nav:
        config["not_in_nav"] = "/policies/*/*.md\n"  # reached from their category page, like ours
    return config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 3000])
    parser.add_argument("--categories", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--policies-in-nav", action="store_true")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, median of {args.repeat} runs, "
          f"nav: {'every policy' if args.policies_in_nav else 'categories'}; MB = 10^6 bytes")
    header = (f"{'policies':>8} | {'categories':>10} | {'portal build s':>14} | {'floor s':>7} | {'ratio':>5} | "
              f"{'CPU ratio':>9} | {'site MB':>7} | {'floor site MB':>13} | {'peak RSS MB':>11} | {'floor RSS MB':>12}")
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        tmp = Path(tmp)
        for size in args.sizes:
            content = write_content(tmp / f"content-{size}", size, categories=args.categories)
            markdown = tmp / f"markdown-{size}"
            measure([BIN / "portal", "export-markdown", markdown, content, "--docs", ROOT / "docs", "--today", TODAY])
            floor_yml, portal_yml = tmp / f"floor-{size}.yml", tmp / f"portal-{size}.yml"
            floor_yml.write_text(yaml.safe_dump(floor_config(content, markdown, args.policies_in_nav)), "utf-8")
            portal_yml.write_text(yaml.safe_dump(project_config(args.policies_in_nav)), "utf-8")
            floor_site, portal_site = tmp / f"site-floor-{size}", tmp / f"site-portal-{size}"
            floor_runs, portal_runs = [], []
            for _ in range(args.repeat):  # in turn, so a busy moment of the machine hits both alike
                floor_runs.append(measure([BIN / "mkdocs", "build", "--strict", "--quiet", "--config-file", floor_yml,
                                           "--site-dir", floor_site]))
                portal_runs.append(measure([BIN / "portal", "build", content, "--config-file", portal_yml,
                                            "--site-dir", portal_site, "--today", TODAY]))
            floor_s, ours_s = (statistics.median(r[0] for r in runs) for runs in (floor_runs, portal_runs))
            floor_cpu, ours_cpu = (statistics.median(r[1] for r in runs) for runs in (floor_runs, portal_runs))
            print(f"{size:>8} | {args.categories:>10} | {ours_s:>14.2f} | {floor_s:>7.2f} | {ours_s / floor_s:>5.2f} | "
                  f"{ours_cpu / floor_cpu:>9.2f} | {site_size(portal_site):>7.1f} | {site_size(floor_site):>13.1f} | "
                  f"{max(r[2] for r in portal_runs):>11.0f} | {max(r[2] for r in floor_runs):>12.0f}", flush=True)


if __name__ == "__main__":
    main()
