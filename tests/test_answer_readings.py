"""What a journalist sees when a number was not simply printed: split, inferred, or not readable."""
from __future__ import annotations

from pathlib import Path

from bot.engine import Engine

# A made-up county whose tables ran together on a crawled page: table 三 splits one way only,
# table 二's 行政规范性文件 row splits several ways and the prose does not settle it.
CRAWLED = (
    "标题: 某某县2023年政府信息公开工作年度报告\n发布机构: 某某县人民政府办公室\n==== 正文 ====\n"
    "某某县2023年政府信息公开工作年度报告 一、总体情况 2023年我县认真贯彻条例。 "
    "二、主动公开政府信息情况 第二十条第（一）项 信息内容 本年制发件数 本年废止件数 现行有效件数 "
    "规章 0 0 0 行政规范性文件 9461412 第二十条第（五）项 信息内容 本年处理决定数量 行政许可 12 "
    "三、收到和处理政府信息公开申请情况 申请人情况 自然人 法人或其他组织 总计 商业企业 科研机构 社会公益组织 "
    "法律服务机构 其他 一、本年新收政府信息公开申请数量 582000060 二、上年结转政府信息公开申请数量 0000000 "
    "三、本年度办理结果 （一）予以公开 582000060 （七）总计 582000060 四、结转下年度继续办理 0000000 "
    "四、政府信息公开行政复议、行政诉讼情况 行政复议 行政诉讼 结果维持 结果纠正 其他结果 尚未审结 总计 "
    "未经复议直接起诉 复议后起诉 结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计 "
    "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 五、存在的主要问题及改进情况 无。 六、其他需要报告的事项 无。"
)


def _engine(tmp_path: Path) -> Engine:
    report = tmp_path / "crawled.txt"
    report.write_text(CRAWLED, encoding="utf-8")
    engine = Engine.open(tmp_path / "store.db")
    engine.load(report)
    return engine


def test_a_split_number_is_answered_with_its_caveat(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    try:
        answer = engine.ask("某某县2023年收到多少政府信息公开申请？")
        assert answer.values[0].value == 60
        assert "粘连" in answer.to_text() and "拆分" in answer.to_text()
    finally:
        engine.close()


def test_a_number_its_table_could_not_place_is_not_called_absent(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    try:
        answer = engine.ask("某某县现行有效的行政规范性文件有多少件？")
        assert not answer.values
        text = answer.to_text()
        assert "读不出" in text and "已保留原文" in text and "没有“" not in text
    finally:
        engine.close()


def test_the_load_line_says_how_each_table_was_read(tmp_path: Path) -> None:
    report = tmp_path / "crawled.txt"
    report.write_text(CRAWLED, encoding="utf-8")
    engine = Engine.open(tmp_path / "store.db")
    try:
        outcome = engine.load(report)
        assert "表二（主动公开）有数字粘连或错位" in outcome.reading()
        assert "表三（依申请公开）数字粘连，已按表内合计唯一拆分" in outcome.reading()
    finally:
        engine.close()
