"""Edit to preview: from saving one policy YAML to `portal serve` serving the page with the change.

Writes synthetic content, starts `portal serve` on a free loopback port, waits for the first build,
then --repeat times: changes a sentence in the body of one policy (a different one each time) and
polls that policy's page over HTTP until the new sentence is there. The server is always stopped.

Run: .venv/bin/python benchmarks/bench_preview.py [--policies 1000] [--repeat 5]
     [--full]  (rebuild the whole site on each change, as `mkdocs serve` without --dirty does)
     [--edit title]  (change the policy's title instead: its category, role and index pages change too)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import LOREM, write_content  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SENTENCE = LOREM.split(". ")[0]  # the first sentence of every synthetic policy body


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback URL we built
            return response.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, OSError):
        return None


def wait_for(url: str, text: str, deadline: float, server: subprocess.Popen) -> float | None:
    """Poll url until it holds text: the time it did, or None past the deadline or if serve died."""
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return None
        page = fetch(url)
        if page is not None and text in page:
            return time.monotonic()
        time.sleep(0.05)
    return None


def edit_policy(file: Path, text: str, field: str) -> None:
    """Change the first sentence of the policy's body (a one-sentence edit), or its title."""
    data = yaml.safe_load(file.read_text("utf-8"))
    if field == "title":
        data["title"] = text
    else:
        data["body"] = data["body"].replace(SENTENCE, text, 1)
    file.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")


def stop(server: subprocess.Popen) -> None:
    """Stop the server (its own process group): Ctrl-C first, so serve removes its temporary site."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if server.poll() is not None:
            return
        os.killpg(server.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--policies", type=int, default=1000)
    parser.add_argument("--categories", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--full", action="store_true", help="full rebuilds instead of dirty ones")
    parser.add_argument("--edit", choices=("body", "title"), default="body", help="what to change")
    parser.add_argument("--timeout", type=float, default=600, help="seconds allowed for the first build")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-preview-") as tmp:
        content = write_content(Path(tmp) / "content", args.policies, categories=args.categories)
        config = content / "mkdocs.yml"  # the project's settings; content_dir "." is this folder
        config.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: {ROOT / 'docs'}\n"
                          f"theme:\n  custom_dir: {ROOT / 'overrides'}\n", "utf-8")
        port = free_port()
        base = f"http://127.0.0.1:{port}/"
        command = [BIN / "portal", "serve", "--config-file", config, "--dev-addr", f"127.0.0.1:{port}"]
        log = open(Path(tmp) / "serve.log", "w+b")  # noqa: SIM115 - closed in finally
        started = time.monotonic()
        server = subprocess.Popen([*command, *(["--full"] if args.full else [])], stdout=log, stderr=subprocess.STDOUT,
                                  env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, start_new_session=True)
        times: list[float] = []
        try:
            first = wait_for(base, "</html>", started + args.timeout, server)
            if first is None:
                log.seek(0)
                sys.exit(f"portal serve did not come up:\n{log.read().decode(errors='replace')[-3000:]}")
            print(f"{args.policies} policies in {args.categories} categories, {'full' if args.full else 'dirty'} "
                  f"rebuilds, {args.edit} edits; first build served after {first - started:.1f} s")
            time.sleep(2)  # the file watcher takes its first snapshot of the content after serving starts
            for run in range(args.repeat):
                number = (1 + run * 197) % args.policies
                category = f"category-{number % args.categories:02d}"
                file = content / "policies" / category / f"policy-{number:05d}.yml"
                url = f"{base}policies/{category}/policy-{number:05d}/"
                marker = f"Preview check {run} {secrets.token_hex(4)}"
                saved = time.monotonic()
                edit_policy(file, marker, args.edit)
                shown = wait_for(url, marker, saved + 120, server)
                if shown is None:
                    log.seek(0)
                    sys.exit(f"the change to {file.name} never showed:\n{log.read().decode(errors='replace')[-3000:]}")
                times.append(shown - saved)
                print(f"  edit {run + 1}: policy-{number:05d} shown after {times[-1]:.2f} s", flush=True)
                time.sleep(1)  # let the watcher settle before the next save
        finally:
            stop(server)
            log.close()
        print(f"edit to preview: median {statistics.median(times):.2f} s, max {max(times):.2f} s "
              f"over {len(times)} edits (target < 2 s)")


if __name__ == "__main__":
    main()
