"""Which stored reports a question is about, and what to say when some are missing."""
from __future__ import annotations

from dataclasses import dataclass

from bot.catalog import Body, Catalog
from bot.intent import Intent
from index.store import StoredReport


@dataclass(frozen=True)
class Selection:
    """The reports an intent covers, and plain sentences about what was asked but is not there."""

    reports: tuple[StoredReport, ...]
    missing: tuple[str, ...]
    named: bool  # the question named bodies (or a report was chosen), rather than meaning all


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
        return Selection(chosen, () if chosen else ("所选的报告已不在库中。",), True)
    missing = [f"没有{place}的报告。" for place in intent.unknown_places]
    named = bool(intent.bodies or intent.unknown_places or intent.ambiguous)  # a scope (江苏省各县) is a group, not names
    bodies = ([b for name in dict.fromkeys(intent.bodies) for b in catalog.bodies_called(name)] if intent.bodies
              else ([] if named else list(catalog.bodies)))
    levels = intent.levels or ((intent.level,) if intent.level else ())
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
    if not reports and not missing and intent.year is not None:
        years = sorted({r.year for r in catalog.reports})
        missing.append(f"没有{intent.year}年的报告（已有：{'、'.join(f'{y}年' for y in years) or '无'}）。")
    if not catalog.bodies:
        missing.append("库里还没有任何报告：请管理员先上传报告。")
    return Selection(tuple(reports), tuple(missing), named)
