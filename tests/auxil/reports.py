"""Report texts for tests: the bundled samples and variants made from them."""
from __future__ import annotations

from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "data" / "samples"
SAMPLE_COUNT = 5

YICHUN = (SAMPLES_DIR / "yichun-2023.txt").read_text(encoding="utf-8")
# A report the samples do not have: 伊春's renamed 青山 (so 88300 penalties), with markup inside.
QINGSHAN = YICHUN.replace("伊春", "青山").replace(
    "但政策解读内容质量", "但<b>&</b>标记的政策解读内容质量"
)
# The same city's government in another year: "伊春市" then names two bodies.
YICHUN_2022 = YICHUN.replace(
    "伊春市 2023 年政府信息公开工作年度报告", "伊春市人民政府 2023 年政府信息公开工作年度报告", 1
).replace("2023", "2022")
# Another body of the same city (its government's general office) in another year: "伊春市" then
# names two bodies. (伊春市人民政府 is the same body as 伊春市: one body_id, bot/catalog.py.)
YICHUN_OFFICE_2022 = YICHUN.replace(
    "伊春市 2023 年政府信息公开工作年度报告", "伊春市人民政府办公室 2023 年政府信息公开工作年度报告", 1
).replace("2023", "2022")
