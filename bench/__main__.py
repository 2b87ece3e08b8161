"""`python -m bench`: every benchmark, each in its own process (each sets up Django anew)."""

from __future__ import annotations

import subprocess
import sys

from bench import REPO

BENCHMARKS = (
    "bench.search_quality",
    "bench.search_scale",
    "bench.serving",
    "bench.secret_guard",
    "bench.tickets",
    "bench.sla_clock",
    "bench.agent_queue",
    "bench.reports",
    "bench.smtp_receiver",
    "bench.mail_imap",
    "bench.mail_ingest",
)


def main() -> int:
    failed = 0
    for module in BENCHMARKS:
        result = subprocess.run([sys.executable, "-m", module], cwd=REPO, check=False)  # noqa: S603
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
