"""Every table cell of the five seed reports, written down by reading the seeds.

Table 三 rows list the seven columns in the order 自然人, 商业企业, 科研机构, 社会公益组织,
法律服务机构, 其他, 总计; a row not listed is all zeros. Table 四 lists 行政复议, 未经复议直接起诉
and 复议后起诉, each as 维持, 纠正, 其他, 尚未审结, 总计.
"""
from __future__ import annotations

REQUEST_ROWS_2021 = (
    "requests.new", "requests.carried_in", "requests.granted", "requests.partial",
    "requests.denied.state_secret", "requests.denied.law_prohibited", "requests.denied.three_safety",
    "requests.denied.third_party", "requests.denied.internal_affairs", "requests.denied.process_info",
    "requests.denied.enforcement_file", "requests.denied.query_matter",
    "requests.unable.not_held", "requests.unable.needs_creation", "requests.unable.unclear",
    "requests.rejected.petition", "requests.rejected.duplicate", "requests.rejected.publication",
    "requests.rejected.excessive", "requests.rejected.confirmation",
    "requests.other.no_correction", "requests.other.no_fee", "requests.other.other",
    "requests.handled", "requests.carried_over",
)
# 兴隆县 prints (六) 其他处理 as one row, like the 2019 layout.
REQUEST_ROWS_SINGLE_OTHER = tuple(r for r in REQUEST_ROWS_2021 if not r.startswith("requests.other.")) + ("requests.other",)

SEEDS = {
    "yichuan-2023.txt": {
        "title": "伊川县人民政府办公室2023年政府信息公开工作年度报告",
        "body": "伊川县人民政府办公室", "region": "伊川县", "year": 2023,
        "active": {"rules.issued": 0, "rules.repealed": 0, "rules.in_force": 0, "normative.issued": 2,
                   "normative.repealed": 4, "normative.in_force": 18, "licensing.decisions": 0,
                   "penalty.decisions": 0, "compulsion.decisions": 0, "fees.amount": 0},
        "request_rows": REQUEST_ROWS_2021,
        "requests": {
            "requests.new": (38, 0, 0, 0, 0, 0, 38),
            "requests.granted": (9, 0, 0, 0, 0, 0, 9),
            "requests.unable.not_held": (24, 0, 0, 0, 0, 0, 24),
            "requests.other.other": (3, 0, 0, 0, 0, 0, 3),
            "requests.handled": (36, 0, 0, 0, 0, 0, 36),
            "requests.carried_over": (2, 0, 0, 0, 0, 0, 2),
        },
        "review": (1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0),
        "findings": 0,
    },
    "seda-2023.txt": {
        "title": "色达县2023年政府信息公开工作年度报告",
        "body": "色达县", "region": "色达县", "year": 2023,
        "active": {"rules.issued": 0, "rules.repealed": 0, "rules.in_force": 0, "normative.issued": 1,
                   "normative.repealed": 0, "normative.in_force": 4, "licensing.decisions": 1110,
                   "penalty.decisions": 75, "compulsion.decisions": 0, "fees.amount": 38.09533},
        "request_rows": REQUEST_ROWS_2021,
        "requests": {
            "requests.new": (4, 0, 0, 0, 0, 0, 4),
            "requests.granted": (4, 0, 0, 0, 0, 0, 4),
            "requests.handled": (4, 0, 0, 0, 0, 0, 4),
        },
        "review": (0,) * 15,
        "findings": 0,
    },
    "xinglong-2023.txt": {
        "title": "兴隆县人民政府2023年政府信息公开工作年度报告",
        "body": "兴隆县人民政府", "region": "兴隆县", "year": 2023, "published": "2024-02-19",
        "active": {"rules.issued": 0, "rules.repealed": 0, "rules.in_force": 0, "normative.issued": 6,
                   "normative.repealed": 11, "normative.in_force": 56, "licensing.decisions": 22,
                   "penalty.decisions": 215, "compulsion.decisions": 0, "fees.amount": 142},
        "request_rows": REQUEST_ROWS_SINGLE_OTHER,
        "requests": {
            # printed as is: the applicant columns add up to 54, the total says 52
            "requests.new": (52, 0, 2, 0, 0, 0, 52),
            "requests.granted": (52, 0, 0, 0, 0, 0, 52),
            "requests.handled": (52, 0, 0, 0, 0, 0, 52),
        },
        "review": (0,) * 15,
        "findings": 2,
    },
    "yichun-2023.txt": {
        "title": "伊春市2023年政府信息公开工作年度报告",
        "body": "伊春市", "region": "伊春市", "year": 2023,
        "active": {"rules.issued": 0, "rules.repealed": 0, "rules.in_force": 0, "normative.issued": 94,
                   "normative.repealed": 61, "normative.in_force": 412, "licensing.decisions": 362164,
                   "penalty.decisions": 88300, "compulsion.decisions": 889, "fees.amount": 8978.04},
        "request_rows": REQUEST_ROWS_2021,
        "requests": {
            "requests.new": (137, 3, 0, 2, 0, 4, 146),
            "requests.granted": (57, 2, 0, 2, 0, 4, 65),
            "requests.partial": (13, 0, 0, 0, 0, 0, 13),
            "requests.denied.state_secret": (1, 0, 0, 0, 0, 0, 1),
            "requests.denied.law_prohibited": (8, 0, 0, 0, 0, 0, 8),
            "requests.denied.three_safety": (4, 0, 0, 0, 0, 0, 4),
            "requests.denied.third_party": (1, 0, 0, 0, 0, 0, 1),
            "requests.denied.enforcement_file": (1, 0, 0, 0, 0, 0, 1),
            "requests.unable.not_held": (44, 1, 0, 0, 0, 0, 45),
            "requests.rejected.petition": (1, 0, 0, 0, 0, 0, 1),
            "requests.other.no_correction": (1, 0, 0, 0, 0, 0, 1),
            "requests.other.other": (3, 0, 0, 0, 0, 0, 3),
            "requests.handled": (134, 3, 0, 2, 0, 4, 143),
            "requests.carried_over": (3, 0, 0, 0, 0, 0, 3),
        },
        "review": (0, 6, 3, 1, 10, 0, 2, 0, 0, 2, 0, 1, 0, 0, 1),
        "findings": 0,
    },
    "huixian-2021.txt": {
        "title": "辉县市人民政府2021年政府信息公开工作年度报告",
        "body": "辉县市人民政府", "region": "辉县市", "year": 2021,
        "active": {"rules.issued": 0, "rules.repealed": 0, "rules.in_force": 0, "normative.issued": 24,
                   "normative.repealed": 0, "normative.in_force": 67, "licensing.decisions": 5297,
                   "penalty.decisions": 1792, "compulsion.decisions": 0, "fees.amount": 12372.0506},
        "request_rows": REQUEST_ROWS_2021,
        "requests": {
            "requests.new": (73, 2, 0, 0, 0, 0, 75),
            "requests.granted": (18, 0, 0, 0, 0, 0, 18),
            "requests.partial": (11, 1, 0, 0, 0, 0, 12),
            "requests.denied.third_party": (1, 0, 0, 0, 0, 0, 1),
            "requests.denied.internal_affairs": (2, 0, 0, 0, 0, 0, 2),
            "requests.unable.not_held": (25, 1, 0, 0, 0, 0, 26),
            "requests.rejected.duplicate": (2, 0, 0, 0, 0, 0, 2),
            "requests.other.other": (5, 0, 0, 0, 0, 0, 5),
            "requests.handled": (64, 2, 0, 0, 0, 0, 66),
            "requests.carried_over": (9, 0, 0, 0, 0, 0, 9),
        },
        # every row after 上年结转 is printed one cell short: the lost cell is one of the zero
        # organisation columns, so exactly one cell a row is inferred (value 0)
        "shifted_rows": REQUEST_ROWS_2021[2:],
        "review": (0, 0, 0, 0, 0, 0, 0, 3, 0, 3, 0, 0, 0, 0, 0),
        "findings": 0,
    },
}
