"""OCR of scanned reports: speed a page and cells read right, on the five samples printed and scanned.

Each bundled sample is built as a PDF with ruled tables (tests/auxil/builders.py, landscape A4,
body 10 pt, table cells 7 pt), each page rendered to a grey JPEG at 200 dpi and saved as an
image-only PDF; that PDF is read like an upload (OCR, then the parser) and its cells are
compared with the cells of the sample's text version. Needs the test extras and the ocr extra.

    python -m benchmarks.ocr [--samples yichun-2023 ...] [--dpi 200] [--skew 0.5]
"""
from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

from index.lexicon import load_lexicon
from index.parser import parse_report
from index.readers import read_bytes, read_document
from index.readers.ocr import default_recognizer
from tests.auxil.builders import standard_blocks
from tests.auxil.reports import SAMPLES_DIR
from tests.auxil.scans import build_scanned_pdf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", nargs="*", default=sorted(p.stem for p in SAMPLES_DIR.glob("*.txt")))
    parser.add_argument("--dpi", type=int, default=200, help="resolution of the scan (not of OCR rendering)")
    parser.add_argument("--skew", type=float, default=0.0, help="degrees the scanned pages are turned")
    args = parser.parse_args()
    lexicon = load_lexicon()
    started = time.perf_counter()
    default_recognizer()
    print(f"engine load {time.perf_counter() - started:.2f} s; {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}")
    print("| sample | pages | s/page (wall) | CPU s/page | cells | same | wrong | missing | extra |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    totals = [0, 0, 0, 0, 0, 0, 0.0, 0.0]
    with tempfile.TemporaryDirectory() as folder:
        for name in args.samples:
            text = (SAMPLES_DIR / f"{name}.txt").read_text(encoding="utf-8")
            truth = parse_report(read_bytes(text.encode(), f"{name}.txt"), lexicon)
            scan = build_scanned_pdf(standard_blocks(text, truth.cells), Path(folder) / f"{name}.pdf", dpi=args.dpi,
                                     skew=args.skew)
            pages: list[int] = []
            wall, cpu = time.perf_counter(), time.process_time()
            document = read_document(scan, on_page=lambda done, total: pages.append(total))
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            report = parse_report(document, lexicon)
            want = {(c.field, c.applicant): c.value for c in truth.cells if not c.derived}
            got = {(c.field, c.applicant): c.value for c in report.cells if not c.derived}
            same = sum(1 for k, v in want.items() if k in got and got[k] == v)
            wrong = sum(1 for k, v in want.items() if k in got and got[k] != v)
            missing = sum(1 for k in want if k not in got)
            extra = sum(1 for k in got if k not in want)
            n = pages[0]
            print(f"| {name} | {n} | {wall / n:.1f} | {cpu / n:.1f} | {len(want)} | {same} | {wrong} | {missing} | {extra} |")
            for i, value in enumerate((n, len(want), same, wrong, missing, extra, wall, cpu)):
                totals[i] += value
    n, cells, same, wrong, missing, extra, wall, cpu = totals
    print(f"| all | {n} | {wall / n:.1f} | {cpu / n:.1f} | {cells} | {same} | {wrong} | {missing} | {extra} |")
    print(f"cells read right: {same / cells:.3f}")


if __name__ == "__main__":
    main()
