"""Story leads for people: which reports a name means, the ranked list, one lead in full.

The rules are in index/leads.py (docs/leads.md); this module resolves "伊春市" or "伊春市2023"
to stored reports, answers questions such as "有什么值得关注的" or "哪些地方的不予公开率异常",
and writes leads as text for the terminal and Telegram.
"""
from __future__ import annotations

import re
import threading
from dataclasses import replace
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING

import sqlite_utils

from bot.answer import Answer, LazyTable
from bot.catalog import Catalog
from bot.packed_leads import PackedLeads
from index.errors import ReportNotFoundError
from index.leads import KINDS, Lead, find_leads, kind_names, load_config
from index.store import StoredReport

if TYPE_CHECKING:
    from bot.intent import Intent

SHOWN = 10  # leads listed in an answer or /leads; the CLI prints them all
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年?度?")


def asks_for_leads(question: str, names: Iterable[str] = ()) -> bool:
    """Tell whether a question asks what is worth a look (有什么值得关注的, 年报有什么问题, 不予公开率异常).

    ``names``: the places and bodies the question names. "有哪些问题" asks for leads only about
    the report itself; about a subject (政务新媒体有哪些问题) it asks what the report says."""
    words = load_config()["questions"]
    if any(w in question for w in words["not"]):
        return False
    if any(w in question for w in words["words"]):
        return True
    if not any(w in question for w in words["problems"]):
        return False
    rest = _YEAR.sub("", question)
    for word in sorted({*names, *words["problems"], *words["report_words"]}, key=len, reverse=True):
        rest = rest.replace(word, "")
    return len(re.findall(r"[\u4e00-\u9fff]", rest)) < 2


def asked_metric(question: str) -> str | None:
    """The outlier metric a question names (不予公开率 → denial_rate), longest word first."""
    best: tuple[int, str] | None = None
    for metric in load_config()["outlier"]["metric"]:
        for word in metric.get("ask", ()):
            if word in question and (best is None or len(word) > best[0]):
                best = (len(word), metric["key"])
    return best[1] if best else None


def reports_named(name: str, catalog: Catalog) -> tuple[StoredReport, ...]:
    """The reports a name means: an id, a title, or a place or body with an optional year (伊春市2023).

    A place names all its years; ReportNotFoundError when nothing matches.
    """
    text = re.sub(r"\s+", "", name)
    reports = catalog.reports
    if text.isdigit():
        found = tuple(r for r in reports if r.id == int(text))
    else:
        found = tuple(r for r in reports if r.title == text)
        if not found:
            year_match = _YEAR.search(text)
            year = int(year_match.group(1)) if year_match else None
            place = _YEAR.sub("", text)
            bodies = [b for m in catalog.find(place) for b in m.bodies]
            found = tuple(r for b in bodies for r in b.reports if year is None or r.year == year)
    if not found:
        known = "、".join(dict.fromkeys(r.name for r in reports[:10])) or "（还没有载入任何报告）"
        raise ReportNotFoundError(f"没有找到“{name}”的报告。已载入：{known}。")
    return tuple(sorted(found, key=lambda r: r.id))


class KeptLeads:
    """Every report's leads, found once for a state of the store and then filtered.

    The leads of some reports are exactly every report's leads of those reports (peers and
    similar texts are always looked for among all reports), so one finding serves every
    question until a report is added or removed. Finding them reads every report's cells and
    sections (80 s at 50,000 synthetic reports), which a bot did again for each "有什么值得关注的"
    while every other question waited for it (issue 10). They are kept packed (bot/packed_leads.py:
    about 72 bytes a lead, where the objects took about 2 KB). ``stamp`` is the store's count of
    report changes (store_state.report_changes)."""

    def __init__(self) -> None:
        self._kept: tuple[int, PackedLeads] | None = None
        self._lock = threading.Lock()

    def of(self, db: sqlite_utils.Database, stamp: int, report_ids: Collection[int] | None = None,
           kinds: tuple[str, ...] = (), *, year: int | None = None, topic: str | None = None) -> Sequence[Lead]:
        """The leads of these reports (all: None), kinds (all: empty), year and topic, ranked.
        Without kept leads for this stamp, a question about a few reports finds only theirs; one
        about all reports finds and keeps them."""
        with self._lock:
            kept = self._kept if self._kept is not None and self._kept[0] == stamp else None
        if kept is not None:
            return kept[1].where(report_ids=report_ids, kinds=kinds, year=year, topic=topic)
        if report_ids is None:
            found = find_leads(db)
            self.keep(stamp, found)
        else:
            found = find_leads(db, report_ids=report_ids, kinds=kinds or None)
        # The list just found, not its packed copy: a one-off command shows it all.
        return [lead for lead in found if (not kinds or lead.kind in kinds) and (year is None or lead.year == year)
                and (topic is None or lead.topic == topic)]

    def keep(self, stamp: int, leads: Sequence[Lead]) -> None:
        """Keep every report's leads as found at ``stamp``, packed (a bot finds and packs them in
        the background)."""
        packed = leads if isinstance(leads, PackedLeads) else PackedLeads(leads)
        with self._lock:
            self._kept = (stamp, packed)


def leads_for(kept: KeptLeads, db: sqlite_utils.Database, stamp: int, catalog: Catalog, name: str | None = None, *,
              kinds: tuple[str, ...] = ()) -> Sequence[Lead]:
    """The leads of the reports a name means (every report without one), ranked."""
    ids = [r.id for r in reports_named(name, catalog)] if name else None
    return kept.of(db, stamp, ids, kinds)


def lead_line(number: int, lead: Lead) -> str:
    """One line of a ranked list: 1. [自相矛盾] 兴隆县2023年报告表三… (90分)."""
    return f"{number}. [{kind_names()[lead.kind]}] {lead.claim}（{lead.score:g}分）"


def lead_detail(lead: Lead) -> str:
    """A lead in full: claim, why it may matter, and where each number is printed."""
    lines = [f"[{kind_names()[lead.kind]}] {lead.claim}", f"为什么值得看：{lead.why}", f"分数：{lead.score:g}", "出处："]
    for source in lead.sources:
        where = f"《{source.report}》" if source.report else f"《{lead.report}》"
        part = f"「{source.section}」" if source.section else ""
        lines.append(f"· {where}{part}{source.text}")
    return "\n".join(lines)


def named_scope(name: str | None) -> str:
    """What a list of leads is about, as its text begins: 伊春市： for a name, 所有报告： without."""
    return f"{name}：" if name else "所有报告："


def leads_text(leads: Sequence[Lead], *, scope: str = "", limit: int | None = SHOWN) -> str:
    """A ranked list as plain lines, with a count and what was looked at."""
    if not leads:
        return f"{scope}没有发现值得关注的线索（按 docs/leads.md 的规则）。"
    shown = leads if limit is None else leads[:limit]
    lines = [f"{scope}共有{len(leads)}条线索，按分数从高到低" + (f"列出前{len(shown)}条：" if len(shown) < len(leads) else "：")]
    lines.extend(lead_line(i, lead) for i, lead in enumerate(shown, start=1))
    return "\n".join(lines)


def answer_leads(intent: Intent, kept: KeptLeads, db: sqlite_utils.Database, stamp: int, catalog: Catalog) -> Answer:
    """Answer "有什么值得关注的" for the reports the question names (all without a name)."""
    missing = [f"没有{place}的报告。" for place in intent.unknown_places]
    names = list(intent.bodies) + [b for _name, bodies in intent.ambiguous for b in bodies]
    if intent.report_id is not None:
        ids: list[int] | None = [intent.report_id]
    elif names:
        ids = [r.id for b in catalog.bodies if b.body in names for r in b.reports
               if intent.year is None or r.year == intent.year]
    elif intent.unknown_places:
        return Answer(intent.question, "leads", " ".join(missing), intent=intent)
    else:
        ids = None  # every report's, filtered by the year below: the kept leads serve it
    metric = asked_metric(intent.question)
    kinds = ("outlier", "jump") if metric else ()
    # Every report's leads of the year asked; a name's reports are already of that year.
    year = intent.year if ids is None else None
    leads = kept.of(db, stamp, ids, kinds, year=year, topic=metric) if ids is None or ids else []
    shown_names = [b.name for b in catalog.bodies if b.body in names]
    scope = "、".join(dict.fromkeys(shown_names)) if names else "所有报告"
    if intent.year is not None:
        scope += f"{intent.year}年"
    if metric:
        label = next(m["label"] for m in load_config()["outlier"]["metric"] if m["key"] == metric)
        scope += f"的{label}"
    text = leads_text(leads, scope=scope + "：")
    if leads:
        text += "\n每条线索的出处：reportbot leads --json，或在 Telegram 里发 /leads。"
    elif metric:
        peers = load_config()["outlier"]["min_peers"] + 1
        text += f"\n（只在同一级别、同一年度至少有{peers}份报告时才比较比率。）"
    if hasattr(intent, "reading"):
        intent = replace(intent, reading=f"理解为：{scope} · 值得关注的线索（规则见 docs/leads.md）")

    def every_row() -> tuple[tuple[str, ...], ...]:
        names = kind_names()
        return (("分数", "类别", "报告", "线索", "为什么"),
                *((f"{lead.score:g}", names[lead.kind], lead.report, lead.claim, lead.why) for lead in leads))

    # Made for /csv only: every report's leads are 170,000 rows at 50,000 synthetic reports, ten are shown.
    table = LazyTable(len(leads) + 1 if leads else 0, every_row)
    return Answer(intent.question, "leads", "\n".join([text, *missing]), intent=intent, table=table)


__all__ = ["KINDS", "SHOWN", "KeptLeads", "answer_leads", "asked_metric", "asks_for_leads", "lead_detail", "lead_line",
           "leads_for", "leads_text", "named_scope", "reports_named"]
