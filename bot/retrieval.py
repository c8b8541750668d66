"""Answer a narrative question with the best passages of the named reports (BM25)."""
from __future__ import annotations

import re

from bot.answer import Answer, PassageRef
from bot.catalog import Catalog
from bot.selection import select_reports
from bot.intent import Intent
from index.lexicon import Lexicon, load_lexicon
from index.search import Hit, PassageIndex
from index.store import StoredReport
from index import tokenizer
from index.tokenizer import tokenize

_WINDOW = 90
_SHOWN = 3
# Table rows are indexed too (a table question that falls through still finds its row), but a
# narrative question wants prose first: a table row's score counts this much.
_TABLE_WEIGHT = 0.6
_ASKS_DATE = re.compile(r"(什么时候|何时|哪天|哪一天|几月|日期|时间).{0,6}(发布|公布|印发|公开|出台)|(发布|公布|印发)(日期|时间|于)")


def trim(text: str, query_tokens: list[str], width: int = _WINDOW) -> str:
    """Cut a passage to the part around its first matched query word, marking cuts with …."""
    if len(text) <= width * 2:
        return text
    positions = [text.find(t) for t in query_tokens if len(t) > 1 and t in text]
    centre = min(positions) if positions else 0
    start = max(0, centre - width // 2)
    end = min(len(text), start + width * 2)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def _publication_dates(intent: Intent, reports: tuple[StoredReport, ...]) -> list[str]:
    """For "when was it published", the date each named report prints, or that it prints none."""
    if not intent.bodies or not _ASKS_DATE.search(intent.question):
        return []
    return [f"《{r.title}》所署日期：{r.published}。" if r.published else f"《{r.title}》没有印发布日期。"
            for r in reports]


def _content_words(intent: Intent, catalog: Catalog, lexicon: Lexicon) -> list[str]:
    """The question's words that say what it is about: not names, years or question words."""
    named = {n for body in intent.bodies for b in catalog.bodies_called(body) for n in b.names}
    filler = lexicon.question.filler
    words = []
    for token in tokenize(intent.query or intent.question):
        if token in filler or len(token) < 2 or token.isdigit() and len(token) == 4:
            continue
        # A name or part of one (伊春, 色达县): a dictionary probe, not a scan of every name.
        if any(token in name for name in named) or catalog.bodies_named(token):
            continue
        words.append(token)
    return words


_ASKS_COUNT = re.compile(r"多少|几[个次场条篇件期份家项]?|数量")


def _relevant(hits: list[Hit], words: list[str], question: str) -> list[Hit]:
    """For a question asking for a count, only passages that hold half its content words or more.

    A narrative question (有哪些亮点) keeps what BM25 found: its words need not be in the text.
    """
    if not words or not _ASKS_COUNT.search(question):
        return hits
    needed = (len(words) + 1) // 2  # 安全生产事故: a passage about 安全 alone is not about it
    return [h for h in hits if sum(w in h.text.lower() or w in h.section.lower() for w in words) >= needed]


def _names_as_words(text: str, catalog: Catalog) -> None:
    """Make the names of the bodies a question names single tokens, as they were when their
    reports' passages were segmented (a load adds each report's names). Only these: adding every
    name in the store at start-up took 0.66 s at 50,000 reports (issue 10)."""
    tokenizer.add_words(name for match in catalog.find(text) for body in match.bodies
                        for name in (body.body, body.region))


def answer_retrieval(intent: Intent, index: PassageIndex, catalog: Catalog, lexicon: Lexicon | None = None) -> Answer:
    """Quote the passages that best match the question, each with its report and section."""
    lexicon = lexicon or load_lexicon()
    selection = select_reports(intent, catalog, all_years=intent.year is None and bool(intent.bodies))
    if selection.named and not selection.reports:
        return Answer(intent.question, intent.route, " ".join(selection.missing), intent=intent)
    report_ids = [r.id for r in selection.reports] if selection.named else None
    _names_as_words(intent.query or intent.question, catalog)
    hits = index.search(intent.query or intent.question, report_ids=report_ids, limit=10)
    hits = _relevant(hits, _content_words(intent, catalog, lexicon), intent.question)
    hits = sorted(hits, key=lambda h: -h.score * (_TABLE_WEIGHT if h.kind == "table" else 1.0))[:5]
    reports = {r.id: r for r in catalog.reports}
    passages = tuple(
        PassageRef(report=reports[h.report_id].title, region=reports[h.report_id].region, year=reports[h.report_id].year,
                   section=h.section, text=h.text, score=h.score, report_id=h.report_id, name=reports[h.report_id].name)
        for h in hits if h.report_id in reports
    )
    subject = [f"表格里没有「{intent.subject}」的数字；下面是报告原文里的说法。"] if intent.subject else []
    dates = _publication_dates(intent, selection.reports)
    if not passages and dates:
        return Answer(intent.question, intent.route, "\n".join(dates), intent=intent)
    if not passages:
        text = "报告里没有找到与这个问题相关的内容。可以换个说法，或用 /reports 看看有哪些报告。"
        if intent.subject:
            text = f"表格里没有「{intent.subject}」的数字，报告原文里也没有找到相关的内容。"
        return Answer(intent.question, intent.route, " ".join([text, *selection.missing]), intent=intent)
    query_tokens = tokenize(intent.query or intent.question)
    lines = subject + dates + ["报告原文中最相关的段落："]
    for p in passages[:_SHOWN]:
        lines.append(f"【{p.name}{p.year}年 · {p.section}】{trim(p.text, query_tokens)}")
    lines.append("来源：" + "；".join(dict.fromkeys(f"《{p.report}》" for p in passages[:_SHOWN])))
    lines.extend(selection.missing)
    return Answer(intent.question, intent.route, "\n".join(lines), passages=passages, intent=intent)
