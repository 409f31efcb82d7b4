"""Benchmark the PDF documents: the loan agreement and the 36-line loan receipt (借据).

Cold: a fresh Python process imports the renderer and renders once; we report
the import + first render (what a newly started worker pays on its first
document) and the first render alone, median of ``--cold`` processes.
Warm: in this process, after one render, the median of ``--warm`` renders.
The views are the ones the PDF tests render (tests/documents/test_pdfs.py).

Run from the repository root:  python bench/documents.py [--warm 10] [--cold 3]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KINDS = ("loan_agreement", "loan_receipt")
TARGET_WARM_MS, TARGET_COLD_MS, TARGET_BYTES = 500, 1500, 40 * 1024

COLD_SCRIPT = """
import json, sys, time
started = time.perf_counter()
from loanflow.documents import build_view, render_document
imported = time.perf_counter()
from loanflow.documents.testing.samples import SAMPLES  # the test data: not part of what a worker imports
view = build_view(sys.argv[1], SAMPLES[sys.argv[1]])
before = time.perf_counter()
document = render_document(sys.argv[1], view)
done = time.perf_counter()
print(json.dumps({"import_ms": (imported - started) * 1000, "first_ms": (done - before) * 1000,
                  "bytes": len(document.content)}))
"""


def cold(kind: str, runs: int) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-c", COLD_SCRIPT, kind], cwd=ROOT, capture_output=True, text=True, check=True
        )
        sample = json.loads(result.stdout)
        sample["process_ms"] = (time.perf_counter() - started) * 1000
        samples.append(sample)
    return {key: statistics.median(sample[key] for sample in samples) for key in samples[0]}


def warm(kind: str, runs: int) -> tuple[float, bytes]:
    from loanflow.documents import build_view, render_document
    from loanflow.documents.testing.samples import SAMPLES

    view = build_view(kind, SAMPLES[kind])
    first = render_document(kind, view)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        document = render_document(kind, view)
        timings.append((time.perf_counter() - started) * 1000)
        assert document.content == first.content, "rendering is not deterministic"
    return statistics.median(timings), first.content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=10, help="warm renders per document (median)")
    parser.add_argument("--cold", type=int, default=3, help="fresh processes per document (median)")
    args = parser.parse_args()

    print(
        "| document | pages | size | warm median | cold: import + first render | cold: first render | process |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    failed = []
    for kind in KINDS:
        cold_ms = cold(kind, args.cold)
        warm_ms, content = warm(kind, args.warm)
        size, pages = len(content), len(PdfReader(io.BytesIO(content)).pages)
        cold_total = cold_ms["import_ms"] + cold_ms["first_ms"]
        print(
            f"| {kind} | {pages} | {size / 1024:.1f} KiB | {warm_ms:.0f} ms | {cold_total:.0f} ms "
            f"| {cold_ms['first_ms']:.0f} ms | {cold_ms['process_ms']:.0f} ms |"
        )
        if warm_ms > TARGET_WARM_MS or cold_total > TARGET_COLD_MS or size > TARGET_BYTES:
            failed.append(kind)
    print(f"\ntargets: warm ≤ {TARGET_WARM_MS} ms, cold ≤ {TARGET_COLD_MS} ms, ≤ {TARGET_BYTES // 1024} KiB")
    if failed:
        sys.exit(f"over target: {', '.join(failed)}")


if __name__ == "__main__":
    main()
