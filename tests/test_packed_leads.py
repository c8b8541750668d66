"""Leads kept packed (bot/packed_leads.py) read back as the list they were made from."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.packed_leads import CHUNK, PackedLeads
from index.leads import Lead, Source

_LEADS = st.lists(
    st.builds(
        Lead,
        kind=st.sampled_from(["outlier", "jump", "contradiction", "boilerplate"]),
        report_id=st.integers(1, 6),
        report=st.just("伊春市2023年政府信息公开工作年度报告"),
        region=st.just("伊春市"),
        body=st.just("伊春市人民政府"),
        year=st.integers(2020, 2023),
        claim=st.text(max_size=30),
        why=st.just("为什么"),
        score=st.floats(0, 100),
        sources=st.lists(st.builds(Source, text=st.text(max_size=10), value=st.none() | st.floats(0, 9)),
                         max_size=2).map(tuple),
        topic=st.sampled_from(["", "denial_rate", "section5"]),
    ),
    max_size=3 * CHUNK + 5,
)


@settings(max_examples=40, deadline=None)
@given(_LEADS, st.data())
def test_packed_leads_read_back_as_the_list(leads: list[Lead], data: st.DataObject) -> None:
    packed = PackedLeads(leads)
    assert len(packed) == len(leads) and list(packed) == leads
    assert packed[:10] == leads[:10] and packed[CHUNK - 2:CHUNK + 3] == leads[CHUNK - 2:CHUNK + 3]
    if leads:
        index = data.draw(st.integers(-len(leads), len(leads) - 1))
        assert packed[index] == leads[index]
    ids = data.draw(st.none() | st.sets(st.integers(1, 6)))
    kinds = data.draw(st.sets(st.sampled_from(["outlier", "jump", "unknown"])))
    year = data.draw(st.none() | st.integers(2020, 2023))
    topic = data.draw(st.none() | st.sampled_from(["denial_rate", "absent"]))
    view = packed.where(report_ids=ids, kinds=kinds, year=year, topic=topic)
    expected = [lead for lead in leads if (ids is None or lead.report_id in ids) and (not kinds or lead.kind in kinds)
                and (year is None or lead.year == year) and (topic is None or lead.topic == topic)]
    assert list(view) == expected and len(view) == len(expected) and view[:3] == expected[:3]
    assert list(view.where(year=year)) == expected  # a view filters again
