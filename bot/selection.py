"""Which stored reports a question is about, and what to say when some are missing."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import sqlite_utils

from bot.catalog import Body, Catalog
from bot.intent import Intent
from index.store import StoredReport, field_values


@dataclass(frozen=True)
class Selection:
    """The reports an intent covers, and plain sentences about what was asked but is not there."""

    reports: tuple[StoredReport, ...]
    missing: tuple[str, ...]
    named: bool  # the question named bodies (or a report was chosen), rather than meaning all
    catalog: Catalog | None = field(default=None, compare=False, repr=False)  # where the reports were found
    arrays: tuple[np.ndarray, np.ndarray] | None = field(default=None, compare=False, repr=False)  # ids, years

    def report_array(self) -> np.ndarray:
        """The reports as an object array, to be picked and ordered by masks and argsort."""
        reports = np.empty(len(self.reports), dtype=object)
        reports[:] = self.reports
        return reports

    def ids_and_years(self) -> tuple[np.ndarray, np.ndarray]:
        """The reports' ids and years as arrays (from the catalog's arrays when every body was
        selected: no attribute read per report)."""
        if self.arrays is not None:
            return self.arrays
        count = len(self.reports)
        return (np.fromiter((r.id for r in self.reports), dtype=np.int64, count=count),
                np.fromiter((r.year for r in self.reports), dtype=np.int64, count=count))

    def field_values(self, db: sqlite_utils.Database, code: str, applicant: str | None) -> dict[int, float | None]:
        """Report id → value of a field in every stored report, kept with the catalog until the
        next load or removal: a ranking over every place reads them once, not per question."""
        if self.catalog is None:
            return field_values(db, code, applicant)
        return self.catalog.memo(("field_values", code, applicant), lambda: field_values(db, code, applicant))

    def field_numbers(self, db: sqlite_utils.Database, code: str, applicant: str | None) -> np.ndarray:
        """The selected reports' values of a field, in selection order; NaN where a report has
        none or a blank. Read through an array by report id kept with the catalog, so that a
        ranking over 30,000 bodies is array work, not a dictionary lookup per report."""
        def by_report() -> np.ndarray:
            values = field_values(db, code, applicant)  # kept as the array only, not also as a dict
            dense = np.full(max(values, default=0) + 1, np.nan)
            present = {rid: v for rid, v in values.items() if v is not None}
            dense[np.fromiter(present, dtype=np.int64, count=len(present))] = np.fromiter(
                present.values(), dtype=np.float64, count=len(present))
            return dense
        dense = by_report() if self.catalog is None else self.catalog.memo(("field_numbers", code, applicant), by_report)
        ids = self.ids_and_years()[0]
        numbers = np.full(len(ids), np.nan)
        inside = ids < len(dense)
        numbers[inside] = dense[ids[inside]]
        return numbers


def _years(reports: tuple[StoredReport, ...]) -> str:
    return "、".join(f"{r.year}年" for r in reports)


def level_of(body: Body) -> str:
    """A body's level: department, else read from its place's code (辉县市 is a county), else as stored."""
    if not body.government:
        return "department"
    if body.code and len(body.code) == 6 and body.code.isdigit() and ":" not in body.id.removeprefix(body.code + ":"):
        try:
            from index.gazetteer import level_of as code_level
            return code_level(body.code)
        except Exception:  # noqa: BLE001 - a code the table lacks: keep the stored level
            return body.level
    return body.level


def under(body: Body, code: str | None, levels: tuple[str, ...]) -> bool:
    """Whether a body is one of a place's own departments, or a government of a place below it.

    A parent never stands for its child nor the reverse: 淮安市 is not under 淮安市, and its
    departments are not 洪泽区's.
    """
    if not code or not body.code:
        return False
    if not body.government:
        return "department" in levels and body.code == code
    if body.code == code:
        return False
    from index.gazetteer import by_code
    place, parent = by_code(body.code), by_code(code)
    return place is not None and parent is not None and place.within(parent)


def _scope_words(levels: tuple[str, ...]) -> str:
    if levels == ("department",):
        return "的部门"
    kinds = {"county": "县", "city": "市", "district": "区", "province": "省"}
    return "下辖各" + "".join(kinds.get(lvl, lvl) for lvl in levels)


def select_reports(intent: Intent, catalog: Catalog, *, all_years: bool = False) -> Selection:
    """Resolve named bodies and the year to stored reports; no names means every body.

    Without a year a body's latest report is used (all of them with all_years).
    """
    if intent.report_id is not None:
        body = catalog.body_of(intent.report_id)
        chosen = tuple(r for r in (body.reports if body else ()) if r.id == intent.report_id)
        return Selection(chosen, () if chosen else ("所选的报告已不在库中。",), True, catalog)
    missing = [f"没有{place}的报告。" for place in intent.unknown_places]
    named = bool(intent.bodies or intent.unknown_places or intent.ambiguous)  # a scope (江苏省各县) is a group, not names
    levels = intent.levels or ((intent.level,) if intent.level else ())
    if not named and intent.within is None:
        reports, arrays = _every_body(catalog, levels, intent.year, all_years)
        return Selection(reports, tuple(_nothing_found(reports, intent, catalog)), False, catalog, arrays)
    bodies = ([b for name in dict.fromkeys(intent.bodies) for b in catalog.bodies_called(name)] if intent.bodies
              else ([] if named else list(catalog.bodies)))
    if levels and not intent.bodies:
        bodies = [b for b in bodies if level_of(b) in levels]
    if intent.within is not None and not intent.bodies:
        bodies = [b for b in bodies if under(b, intent.within_code, levels)]
        if not bodies:
            missing.append(f"库里没有{intent.within}{_scope_words(levels)}的报告。")
    bodies.sort(key=lambda b: intent.bodies.index(b.body) if b.body in intent.bodies else 0)
    reports: list[StoredReport] = []
    for body in bodies:
        if intent.year is not None:
            found = [r for r in body.reports if r.year == intent.year]
            if not found and intent.bodies:
                missing.append(f"没有{body.name}{intent.year}年的报告（已有：{_years(body.reports)}）。")
            reports.extend(found)
        elif all_years:
            reports.extend(body.reports)
        else:
            reports.append(body.reports[-1])
    if not missing:
        missing.extend(_nothing_found(reports, intent, catalog))
    elif not catalog.bodies:
        missing.append("库里还没有任何报告：请管理员先上传报告。")
    return Selection(tuple(reports), tuple(missing), named, catalog)


def _nothing_found(reports: Sequence[StoredReport], intent: Intent, catalog: Catalog) -> list[str]:
    """What to say when a question over every place (or a year) finds no report."""
    said = []
    if not reports and intent.year is not None:
        years = sorted({r.year for r in catalog.reports})
        said.append(f"没有{intent.year}年的报告（已有：{'、'.join(f'{y}年' for y in years) or '无'}）。")
    if not catalog.bodies:
        said.append("库里还没有任何报告：请管理员先上传报告。")
    return said


@dataclass(frozen=True)
class _Bodies:
    """Every body and report of a catalog as arrays, in catalog order (bodies, then each body's
    reports by year), so that a question over every place selects with masks, not a loop."""

    reports: np.ndarray  # StoredReport objects
    ids: np.ndarray
    years: np.ndarray
    body_of_report: np.ndarray  # index into the bodies
    levels: np.ndarray  # each body's level (level_of)
    latest: np.ndarray  # each body's newest report, an index into reports


def _bodies(catalog: Catalog) -> _Bodies:
    reports = [r for b in catalog.bodies for r in b.reports]
    objects = np.empty(len(reports), dtype=object)
    objects[:] = reports
    counts = np.array([len(b.reports) for b in catalog.bodies], dtype=np.int64)
    return _Bodies(reports=objects, ids=np.array([r.id for r in reports], dtype=np.int64),
                   years=np.array([r.year for r in reports], dtype=np.int64),
                   body_of_report=np.repeat(np.arange(len(counts)), counts),
                   levels=np.array([level_of(b) for b in catalog.bodies], dtype=object),
                   latest=np.cumsum(counts) - 1)


def _every_body(catalog: Catalog, levels: tuple[str, ...], year: int | None,
                all_years: bool) -> tuple[tuple[StoredReport, ...], tuple[np.ndarray, np.ndarray]]:
    """The reports of every body (of these levels): the year's, all of them, or each body's
    latest; with their ids and years as arrays."""
    arrays = catalog.memo("bodies", lambda: _bodies(catalog))
    chosen = np.isin(arrays.levels, list(levels)) if levels else np.ones(len(arrays.levels), dtype=bool)
    if year is not None:
        picked = np.flatnonzero((arrays.years == year) & chosen[arrays.body_of_report])
    elif all_years:
        picked = np.flatnonzero(chosen[arrays.body_of_report])
    else:
        picked = arrays.latest[chosen]
    return tuple(arrays.reports[picked].tolist()), (arrays.ids[picked], arrays.years[picked])
