"""Compliance matrix cost as offices grow: staff x 150 requirements, computed with tracker.rules.evaluator.

Run: .venv/bin/python benchmarks/bench_compliance.py [--sizes 500 2000 10000] [--repeat 5]

The pure rules only (records already in memory); the dashboard's request time, which adds the
database queries and the HTML, is measured by benchmarks/bench_dashboard.py.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))

from synthetic import write_content  # noqa: E402

from portal.loader import load_catalogue  # noqa: E402
from tracker.rules.evaluator import Evaluator  # noqa: E402
from tracker.rules.records import Ack, CertRecord, Completion, Person  # noqa: E402
from tracker.rules.summary import summarise  # noqa: E402

TODAY = date(2026, 11, 23)
POLICIES, MODULES = 120, 29  # + 1 certification type = 150 requirements for every person


def synthetic_catalogue(tmp: Path):
    root = write_content(tmp / "content", POLICIES, categories=20, modules=MODULES, staff_roles=1)
    return load_catalogue(root)


def people_and_records(catalogue, count: int, rng: random.Random):
    role = next(iter(catalogue.roles))
    policies, modules = list(catalogue.policies.values()), list(catalogue.modules.values())
    out = []
    for n in range(count):
        hire = TODAY - timedelta(days=rng.randint(0, 3000))
        person = Person(id=n, name=f"Person {n}", role_ids=frozenset({role}), location_id="main", hire_date=hire)
        acks = [Ack(p.id, rng.choice((1, 2)), TODAY - timedelta(days=rng.randint(0, 400)))
                for p in policies if rng.random() < 0.9]
        completions = [Completion(m.id, 1, TODAY - timedelta(days=rng.randint(0, 500)), "quiz")
                       for m in modules if rng.random() < 0.85]
        certs = [CertRecord("bls", TODAY - timedelta(days=700), TODAY + timedelta(days=rng.randint(-60, 300)))]
        out.append((person, acks, completions, certs))
    return out


def matrix(evaluator: Evaluator, population) -> int:
    cells = 0
    for person, acks, completions, certs in population:
        statuses = evaluator.statuses(person, acks, completions, certs, TODAY)
        cells += len(statuses)
        summarise(statuses)
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 10000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        catalogue = synthetic_catalogue(Path(tmp))
    rng = random.Random(7)
    print(f"{'staff':>6} | {'cells':>9} | {'median s':>8} | {'us/cell':>7} | target: 2,000 x 150 < 1 s")
    print("-" * 60)
    for size in args.sizes:
        population = people_and_records(catalogue, size, rng)
        runs, cells = [], 0
        for _ in range(args.repeat):
            evaluator = Evaluator(catalogue)  # a fresh one each run: caches are part of the cost
            started = time.perf_counter()
            cells = matrix(evaluator, population)
            runs.append(time.perf_counter() - started)
        median = statistics.median(runs)
        print(f"{size:>6} | {cells:>9,} | {median:>8.3f} | {median / cells * 1e6:>7.2f} |")


if __name__ == "__main__":
    main()
