"""A question bank generated from the lexicon: every field × phrasings × name forms × years × operations.

Each case says the intent the question must produce. The phrasings are built from the field's own
words (data/lexicon.toml), so a synonym added there is asked here at once; the templates are the
ways journalists put a question. Adversarial questions (ADVERSARIAL) must get no table number.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from bot.catalog import Catalog
from index.lexicon import FieldDef, Lexicon
from index.store import StoredReport

TODAY = date(2024, 3, 1)


@dataclass(frozen=True)
class Case:
    """A question and the intent it must give (None: not checked)."""

    question: str
    field: str | None
    applicant: str | None = None
    bodies: tuple[str, ...] | None = None
    year: int | None | str = "any"
    operation: str | None = None
    descending: bool | None = None
    limit: int | None | str = "any"
    route: str = "structured"
    context: str | None = None  # a question asked just before: this one is its follow-up
    corrected: bool = False  # the reading must show a typo's correction
    within: str | None = None  # the place of a scope (江苏省各县): checked when given
    levels: tuple[str, ...] | None = None
    rate: str | None = None  # the lexicon's rate (公开率): checked when given
    by_change: str | None = None  # a ranking by change (增长最快): checked when given


def report(id_: int, body: str, region: str, level: str, year: int) -> StoredReport:
    return StoredReport(id_, f"{body}{year}年政府信息公开工作年度报告", body, region, level, year, None, "x.txt", str(id_), 200, 0)


def bank_reports() -> list:
    """The reports of the bodies the bank names (tests/test_understand.py adds departments)."""
    return [
        report(1, "伊川县人民政府办公室", "伊川县", "county", 2023),
        report(2, "伊春市", "伊春市", "city", 2023),
        report(3, "伊春市", "伊春市", "city", 2022),
        report(4, "伊春市伊美区人民政府", "伊春市伊美区", "district", 2023),
        report(5, "色达县", "色达县", "county", 2023),
        report(6, "兴隆县人民政府", "兴隆县", "county", 2023),
        report(8, "辉县市人民政府", "辉县市", "city", 2021),
    ]


def bank_catalog(lexicon: Lexicon) -> Catalog:
    """The bodies the bank names."""
    return Catalog(bank_reports(), lexicon)


# A body and the names journalists give it.
NAMES = {
    "伊春市": ("伊春市", "伊春", "伊春市政府", "伊春市人民政府"),
    "兴隆县人民政府": ("兴隆县", "兴隆", "兴隆县政府"),
    "色达县": ("色达县", "色达", "色达县人民政府"),
    "伊川县人民政府办公室": ("伊川县", "伊川", "伊川县政府办"),
    "伊春市伊美区人民政府": ("伊美区", "伊春市伊美区"),
}
YEARS = (("", "any"), ("2023年", 2023), ("2022年", 2022), ("二〇二三年", 2023), ("2023年度", 2023), ("去年", 2023))
VALUE_TEMPLATES = (
    "{name}{year}{phrase}有多少件？",
    "{name}{year}的{phrase}是多少",
    "{year}{name}{phrase}多少",
    "请问{name}{year}{phrase}的数量？",
    "{name}{year}{phrase}共有几件",
    "{name} {year} {phrase} 是多少？",
)


def _words(group: tuple[str, ...]) -> list[str]:
    """A few words of a group: its first (the usual one), its longest and its shortest."""
    picked = [group[0], max(group, key=len), min(group, key=len)]
    return list(dict.fromkeys(picked))


def field_phrases(fdef: FieldDef) -> list[str]:
    """Phrases that name a field, made of its own need words (both orders for two groups)."""
    phrases: list[str] = []
    for alternative in fdef.need:
        for combo in itertools.product(*(_words(group) for group in alternative)):
            phrases.append("".join(combo))
            if len(combo) == 2:
                phrases.append(combo[1] + combo[0])
    return list(dict.fromkeys(phrases))


def value_cases(lexicon: Lexicon) -> Iterator[Case]:
    """Every field by every phrase, rotating through name forms, years and templates."""
    names = [(body, name) for body, forms in NAMES.items() for name in forms]
    rotation = itertools.count()
    for fdef in lexicon.fields:
        for phrase in field_phrases(fdef):
            for _ in range(3):
                i = next(rotation)
                body, name = names[i % len(names)]
                year_text, year = YEARS[i % len(YEARS)]
                template = VALUE_TEMPLATES[i % len(VALUE_TEMPLATES)]
                question = template.format(name=name, year=year_text, phrase=phrase).replace("  ", " ")
                yield Case(question, fdef.code, bodies=(body,), year=year)


APPLICANT_TEMPLATES = ("{name}{phrase}中{who}有多少件", "{name}{who}{phrase}几件", "{name}{phrase}里{who}提出的有多少")


def applicant_cases(lexicon: Lexicon) -> Iterator[Case]:
    """Table 三 fields by each applicant's words."""
    rotation = itertools.count()
    fields = [f for f in lexicon.fields if f.table == "requests"]
    for applicant in lexicon.applicants:
        for who in applicant.ask:
            for _ in range(2):
                i = next(rotation)
                fdef = fields[i % len(fields)]
                phrase = field_phrases(fdef)[0]
                template = APPLICANT_TEMPLATES[i % len(APPLICANT_TEMPLATES)]
                yield Case(template.format(name="伊春市", phrase=phrase, who=who), fdef.code, applicant=applicant.code,
                           bodies=("伊春市",))


RANK_TEMPLATES = (
    ("哪个地方{phrase}最多？", True, None),
    ("{phrase}最少的是哪里", False, None),
    ("{year}哪个地区的{phrase}最高", True, None),
    ("{phrase}排名前三的是哪些地方", True, 3),
    ("各地{phrase}排行", True, None),
    ("{phrase}最低的前5名", False, 5),
)
COMPARE_TEMPLATES = (
    ("{a}和{b}哪个{phrase}多", True),
    ("{a}与{b}的{phrase}哪个更少", False),
    ("{a}{phrase}比{b}多多少", True),
    ("对比{a}和{b}的{phrase}", True),
)
SUM_TEMPLATES = ("{a}和{b}{phrase}一共多少件", "{a}、{b}的{phrase}合计是多少", "{a}和{b}加起来{phrase}有多少")
AVERAGE_TEMPLATES = ("各地{phrase}平均多少", "{a}和{b}{phrase}的平均值")
CHANGE_TEMPLATES = ("{a}{phrase}比上年增加了多少", "{a}{phrase}同比变化", "{a}2023年{phrase}较上年下降了多少",
                    "{a}2023年比2022年{phrase}多了多少")

PAIRS = (("伊春市", "兴隆县", ("伊春市", "兴隆县人民政府")), ("色达县", "伊川", ("色达县", "伊川县人民政府办公室")),
         ("兴隆", "伊春市伊美区", ("兴隆县人民政府", "伊春市伊美区人民政府")))


def operation_cases(lexicon: Lexicon) -> Iterator[Case]:
    """Rankings, comparisons, sums, averages and changes over every field (operation words kept out of phrases)."""
    operation_words = {w for name, group in lexicon.operations.items() if name != "check" for w in group}
    rotation = itertools.count()
    for fdef in lexicon.fields:
        phrases = [p for p in field_phrases(fdef) if not any(w in p for w in operation_words)]
        if not phrases:
            continue
        for _ in range(2):
            i = next(rotation)
            phrase = phrases[i % len(phrases)]
            a, b, bodies = PAIRS[i % len(PAIRS)]
            template, descending, limit = RANK_TEMPLATES[i % len(RANK_TEMPLATES)]
            yield Case(template.format(phrase=phrase, year="2023年"), fdef.code, bodies=(), operation="rank",
                       descending=descending, limit=limit)
            template, descending = COMPARE_TEMPLATES[i % len(COMPARE_TEMPLATES)]
            yield Case(template.format(a=a, b=b, phrase=phrase), fdef.code, bodies=bodies, operation="compare",
                       descending=descending)
            yield Case(SUM_TEMPLATES[i % len(SUM_TEMPLATES)].format(a=a, b=b, phrase=phrase), fdef.code, bodies=bodies,
                       operation="sum")
            template = AVERAGE_TEMPLATES[i % len(AVERAGE_TEMPLATES)]
            yield Case(template.format(a=a, b=b, phrase=phrase), fdef.code, operation="average",
                       bodies=bodies if "{a}" in template else ())
            yield Case(CHANGE_TEMPLATES[i % len(CHANGE_TEMPLATES)].format(a=a, phrase=phrase), fdef.code,
                       bodies=bodies[:1], operation="change")


def variant_cases(lexicon: Lexicon) -> Iterator[Case]:
    """Every third value question as people type it: traditional, full-width, spaced, after a greeting."""
    from opencc import OpenCC

    traditional = OpenCC("s2t")
    forms = (traditional.convert, _full_width, lambda q: " ".join(q), lambda q: "你好，" + q)
    for i, case in enumerate(itertools.islice(value_cases(lexicon), 0, None, 3)):
        yield Case(forms[i % len(forms)](case.question), case.field, bodies=case.bodies, year=case.year)


def _full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "0" <= ch <= "9" or "A" <= ch <= "z" else ch for ch in text)


ENGLISH_PLACES = (("Yichun", ("伊春市",)), ("Xinglong County", ("兴隆县人民政府",)), ("Seda", ("色达县",)),
                  ("Yichuan", ("伊川县人民政府办公室",)), ("Yimei District", ("伊春市伊美区人民政府",)))
ENGLISH_TEMPLATES = ("How many {phrase} did {place} have in 2023?", "What is the number of {phrase} in {place}?",
                     "{place} {phrase} 2023", "how many {phrase} for {place} in 2023")


def english_cases(lexicon: Lexicon) -> Iterator[Case]:
    """English phrases that name a field on their own, with places by pinyin."""
    from bot.understand import match_field

    rotation = itertools.count()
    for phrase, chinese in lexicon.english.phrases.items():
        found = match_field(chinese, lexicon)
        if found is None:
            continue
        for _ in range(2):
            i = next(rotation)
            place, bodies = ENGLISH_PLACES[i % len(ENGLISH_PLACES)]
            template = ENGLISH_TEMPLATES[i % len(ENGLISH_TEMPLATES)]
            yield Case(template.format(phrase=phrase, place=place), found.field.code, bodies=bodies,
                       year=2023 if "2023" in template else None)


FOLLOW_UPS = (("那兴隆县呢？", {"bodies": ("兴隆县人民政府",)}), ("2022年呢", {"year": 2022}), ("色达呢", {"bodies": ("色达县",)}),
              ("去年的呢", {"year": 2023}))


def follow_up_cases(lexicon: Lexicon) -> Iterator[Case]:
    """A short follow-up of every field's question keeps the field and changes one part."""
    rotation = itertools.count()
    for fdef in lexicon.fields:
        phrase = field_phrases(fdef)[0]
        i = next(rotation)
        question, change = FOLLOW_UPS[i % len(FOLLOW_UPS)]
        yield Case(question, fdef.code, context=f"伊春市{phrase}多少件", bodies=change.get("bodies", ("伊春市",)),
                   year=change.get("year", "any"))
        if fdef.table == "requests":
            yield Case("自然人呢", fdef.code, applicant="natural_person", context=f"伊春市{phrase}多少件", bodies=("伊春市",))
        operation_words = {w for group in lexicon.operations.values() for w in group}
        if not any(w in phrase for w in operation_words):
            yield Case("最少的呢", fdef.code, context=f"哪个地方{phrase}最多", operation="rank", descending=False, bodies=())
    fields = [f for f in lexicon.fields if "2019" not in f.label]
    for i, fdef in enumerate(fields):
        other = fields[(i + 7) % len(fields)]
        yield Case(f"{field_phrases(other)[0]}呢", other.code, context=f"哪个地方{field_phrases(fdef)[0]}最少",
                   operation="rank", descending=False, bodies=())


def typo_cases(lexicon: Lexicon) -> Iterator[Case]:
    """A field word of four characters or more with one character slipped: read, and the correction shown."""
    slips = "甲乙丙"
    for i, fdef in enumerate(lexicon.fields):
        for phrase in field_phrases(fdef):
            words = [w for alternative in fdef.need for group in alternative for w in group if w in phrase and len(w) >= 4]
            if not words:
                continue
            word = max(words, key=len)
            typo = word[:2] + slips[i % len(slips)] + word[3:]
            slipped = phrase.replace(word, typo)
            # Where another need word of the field is still whole, the field is read without a correction.
            whole = any(w in slipped for alternative in fdef.need for group in alternative for w in group)
            yield Case(f"伊春市{slipped}多少件", fdef.code, bodies=("伊春市",), corrected=not whole)
            break


def bank(lexicon: Lexicon) -> list[Case]:
    """The whole generated bank, in a stable order."""
    return [*value_cases(lexicon), *applicant_cases(lexicon), *operation_cases(lexicon), *variant_cases(lexicon),
            *english_cases(lexicon), *follow_up_cases(lexicon), *typo_cases(lexicon), *scope_cases(lexicon),
            *rate_cases(lexicon), *change_rank_cases(lexicon)]


# ---------------------------------------------------------------------------- places, rates, change
# Places the bank's catalog lacks but the gazetteer knows: with a scope word they are the scope.
SCOPE_PLACES = ("江苏省", "河南省", "黑龙江省", "新乡市", "淮安市", "甘肃省")
SCOPE_FIELDS = ("requests.new", "penalty.decided", "review.total", "licensing.decided")
SCOPE_TEMPLATES = ("{place}{scope}{phrase}多少", "{place}{scope}的{phrase}是多少", "{year}{place}{scope}{phrase}有多少件")


def scope_cases(lexicon: Lexicon) -> Iterator[Case]:
    """江苏省各县, 淮安市下辖各区县, 河北省的厅局, 江苏省哪个县…最多: the place is a scope, not a body."""
    fields = [lexicon.field(code) for code in SCOPE_FIELDS if lexicon.has_field(code)]
    for i, (word, levels) in enumerate(lexicon.scopes.items()):
        for j, place in enumerate(SCOPE_PLACES):
            fdef = fields[(i + j) % len(fields)]
            phrase = field_phrases(fdef)[0]
            template = SCOPE_TEMPLATES[(i + j) % len(SCOPE_TEMPLATES)]
            yield Case(template.format(place=place, scope=word, phrase=phrase, year="2023年"), fdef.code, bodies=(),
                       within=place, levels=levels)
    for j, place in enumerate(SCOPE_PLACES):
        for word, level in lexicon.level_words.items():
            if level in ("province", "city") and place.endswith("市"):
                continue  # 新乡市哪个省 asks nothing
            fdef = fields[j % len(fields)]
            yield Case(f"{place}{word}{field_phrases(fdef)[0]}最多", fdef.code, bodies=(), within=place, levels=(level,),
                       operation="rank", descending=True)


RATE_VALUE = ("{name}的{word}是多少", "{name}2023年{word}多少", "{name}{word}")
RATE_RANK = (("{word}最高的是哪个", True), ("{word}最低的是哪里", False), ("哪个地方{word}最高", True),
             ("2023年{word}最低的地方", False), ("{word}排名前三", True))


def rate_cases(lexicon: Lexicon) -> Iterator[Case]:
    """Every word of every rate, as a value of one place and as a ranking (a shared word: the first rate)."""
    for rate in lexicon.rates:
        for i, word in enumerate(rate.words):
            first = next(r for r in lexicon.rates if word in r.words)
            if first is not rate:
                continue
            name = ("伊春市", "兴隆县", "色达县")[i % 3]
            yield Case(RATE_VALUE[i % len(RATE_VALUE)].format(name=name, word=word), rate.numerator[0],
                       bodies=(name if name != "兴隆县" else "兴隆县人民政府",), operation="share", rate=rate.code)
            for template, descending in RATE_RANK:
                yield Case(template.format(word=word), rate.numerator[0], bodies=(), operation="rank",
                           descending=descending, rate=rate.code)
    for word in ("纠错率", "纠正率", "维持率"):
        yield Case(f"行政诉讼的{word}最高的是哪个", next(r for r in lexicon.rates if word in r.words and
                                                       r.code.startswith("lawsuit")).numerator[0],
                   operation="rank", rate=next(r.code for r in lexicon.rates if word in r.words and r.code.startswith("lawsuit")))


CHANGE_RANK = (("哪个地方{phrase}增长最快", "increase_pct", True), ("{phrase}增加最多的是哪里", "increase", True),
               ("{phrase}下降最多的是哪个", "decrease", True), ("{phrase}降幅最大的地方", "decrease_pct", True),
               ("哪个地方{phrase}增幅最大", "increase_pct", True), ("{phrase}减少最多的前三名", "decrease", True),
               ("{phrase}变化最大的是哪个", "change", True))


def change_rank_cases(lexicon: Lexicon) -> Iterator[Case]:
    """增长最快, 下降最多: every field ranked by its change from the year before."""
    for i, fdef in enumerate(lexicon.fields):
        phrase = field_phrases(fdef)[0]
        for j in (i % len(CHANGE_RANK), (i + 3) % len(CHANGE_RANK)):
            template, by_change, descending = CHANGE_RANK[j]
            yield Case(template.format(phrase=phrase), fdef.code, bodies=(), operation="rank", descending=descending,
                       by_change=by_change)


# ---------------------------------------------------------------------------- adversarial
# Questions that must get no table number: the reports do not hold what they ask.
MISSING_SUBJECTS = (
    "投诉", "信访", "举报", "人口", "财政收入", "GDP", "招商引资", "安全生产事故", "交通行政处罚", "食品安全行政处罚",
    "环保行政处罚", "重大行政处罚", "行政处罚听证", "罚款金额", "行政处罚金额", "罚没收入", "行政许可收费多少钱",
    "行政复议听证", "行政诉讼赔偿金额", "税收", "公务员人数", "财政预算", "12345热线工单", "政务服务事项",
    "行政处罚被维持", "规范性文件被纠正", "行政许可被起诉", "申请人数", "律师人数", "医院数量",
)
MISSING_TEMPLATES = ("{name}{subject}多少件？", "{name}2023年{subject}是多少", "{name}的{subject}有多少")
UNKNOWN_PLACES = ("北京市", "朝阳区", "昆明", "昆明市", "杭州", "海淀区", "伊春区", "兴隆县公安局", "伊春市教育局",
                  "色达县卫健委", "上海", "黑龙江省", "伊川县法院", "辉县市税务局", "泰州市")
PLACE_FIELDS = ("行政处罚", "收到的申请", "行政复议", "予以公开的申请", "行政许可")
PROSE_ONLY = (
    "某县主动公开了多少条信息", "{name}主动公开了多少条信息", "{name}公开了多少条信息", "{name}主动公开政府信息多少条",
    "{name}主动公开的信息有多少", "{name}政策解读多少篇", "{name}发布了几篇政策解读", "{name}召开了几场新闻发布会",
    "{name}组织了几次培训", "{name}公众号推送了多少条", "{name}网站访问量是多少", "{name}收到多少投诉",
    "{name}信息处理费收了多少", "{name}12345热线接了多少电话",
)
# Numbers the tables do not give although a field is named: per month or head, persons, an
# unnamed place, an English word no lexicon knows.
UNANSWERABLE_FORMS = (
    "伊春市每月平均行政处罚多少件", "伊春市人均行政许可多少", "伊春市日均收到多少申请", "伊春市一共处罚了多少人",
    "伊春市申请人有多少个人", "我市收到多少申请", "本县行政许可多少", "全市行政处罚多少件",
    "How many complaints did Yichun receive?", "What was Yichun's GDP in 2023?",
    "How many administrative penalties did Kunming issue?", "伊春市罚款收入多少", "伊春市行政处罚近两年的变化",
    "伊春市重大行政处罚多少件", "伊春市网上申请多少件", "兴隆县政府信息公开申请的答复率", "伊春市申请公开的满意度",
    "伊春市环保局行政处罚多少件", "伊春市行政处罚的公开率", "行政许可的纠错率最高的是哪个", "公开率下降最多的是哪个",
    "伊春区各县收到多少申请",
)
OUT_OF_SCOPE = (
    "县委书记是谁", "今天天气怎么样", "伊春市的GDP是多少", "伊春市有多少人口", "伊春市市长是谁", "兴隆县房价多少",
    "明天会下雨吗", "伊春市2023年财政收入多少", "色达县的县委书记叫什么", "伊川县今天的天气", "伊春市工资水平",
    "兴隆县有多少公务员", "辉县市的高考成绩",
)


def adversarial(lexicon: Lexicon) -> list[str]:
    """At least a hundred questions that must not get a table number."""
    questions: list[str] = []
    names = ("伊春市", "兴隆县", "色达")
    for i, subject in enumerate(MISSING_SUBJECTS):
        questions.append(MISSING_TEMPLATES[i % len(MISSING_TEMPLATES)].format(name=names[i % len(names)], subject=subject))
    for i, place in enumerate(UNKNOWN_PLACES):
        for j, phrase in enumerate(PLACE_FIELDS[: 3 if i % 2 else 2]):
            questions.append(f"{place}{'2023年' if j else ''}{phrase}多少件？")
    for i, template in enumerate(PROSE_ONLY):
        questions.append(template.format(name=names[i % len(names)]))
    questions.extend(UNANSWERABLE_FORMS)
    questions.extend(OUT_OF_SCOPE)
    return list(dict.fromkeys(questions))
