"""Every report's leads kept packed, so a bot holds them in a few MB instead of hundreds.

At 50,000 synthetic reports there are about 170,000 leads; as objects they held about 350 MB
of a bot that answers in 450 (docs/benchmarks.md). Here they are pickled and compressed in
chunks of CHUNK, in rank order (about 72 bytes a lead, measured at 10,000 reports), with what
questions filter on (report, year, kind, topic) beside them as arrays. A question filters the
arrays and unpacks only the leads it shows: a chunk takes about 3 ms.
"""
from __future__ import annotations

import pickle
import zlib
from collections.abc import Collection, Iterator, Sequence
from typing import overload

import numpy as np

from index.leads import Lead

CHUNK = 64  # leads per compressed chunk: larger packs smaller, and costs more to show one lead


class PackedLeads(Sequence[Lead]):
    """Ranked leads, packed; ``where`` gives the ones a question asks for, still packed."""

    def __init__(self, leads: Sequence[Lead]) -> None:
        self._chunks = [zlib.compress(pickle.dumps(list(leads[i:i + CHUNK]), protocol=pickle.HIGHEST_PROTOCOL))
                        for i in range(0, len(leads), CHUNK)]
        self._kinds = sorted({lead.kind for lead in leads})
        self._topics = sorted({lead.topic for lead in leads})
        self._report_ids = np.array([lead.report_id for lead in leads], dtype=np.int64)
        self._years = np.array([lead.year for lead in leads], dtype=np.int64)
        kind_codes, topic_codes = ({v: i for i, v in enumerate(values)} for values in (self._kinds, self._topics))
        self._kind_codes = np.array([kind_codes[lead.kind] for lead in leads], dtype=np.int32)
        self._topic_codes = np.array([topic_codes[lead.topic] for lead in leads], dtype=np.int32)
        self._rows = np.arange(len(leads), dtype=np.int64)  # this view's leads, in rank order

    def where(self, *, report_ids: Collection[int] | None = None, kinds: Collection[str] = (),
              year: int | None = None, topic: str | None = None) -> "PackedLeads":
        """The leads of these reports (all: None), kinds (all: empty), year and topic, in rank order."""
        keep = np.ones(len(self._rows), dtype=bool)
        if report_ids is not None:
            keep &= np.isin(self._report_ids[self._rows], np.fromiter(report_ids, dtype=np.int64))
        if kinds:
            wanted = set(kinds)
            codes = [i for i, kind in enumerate(self._kinds) if kind in wanted]
            keep &= np.isin(self._kind_codes[self._rows], np.array(codes, dtype=np.int32))
        if year is not None:
            keep &= self._years[self._rows] == year
        if topic is not None:
            code = self._topics.index(topic) if topic in self._topics else -1
            keep &= self._topic_codes[self._rows] == code
        view = object.__new__(PackedLeads)
        view.__dict__.update(self.__dict__)
        view._rows = self._rows[keep]
        return view

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> Lead: ...

    @overload
    def __getitem__(self, index: slice) -> list[Lead]: ...

    def __getitem__(self, index: int | slice) -> Lead | list[Lead]:
        if isinstance(index, slice):
            return list(self._unpacked(self._rows[index]))
        return next(self._unpacked(self._rows[[index]]))

    def __iter__(self) -> Iterator[Lead]:
        return self._unpacked(self._rows)

    def _unpacked(self, rows: np.ndarray) -> Iterator[Lead]:
        """The leads at these positions of the full list, each chunk unpacked once in a row."""
        number, chunk = -1, []
        for row in rows.tolist():
            if row // CHUNK != number:
                number = row // CHUNK
                chunk = pickle.loads(zlib.decompress(self._chunks[number]))
            yield chunk[row % CHUNK]
