"""The one wrapper around jieba: index text and questions are segmented by the same function.

Search-mode segmentation (``lcut_for_search``) emits a long word and its dictionary sub-words,
which favours recall: 政府信息公开 also yields 政府, 信息, 公开. Numbers are cut out before
jieba sees the text, so 0314-5053366 or 8978.04 stay whole (and their parts are tokens too).
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import re
import sys
import tempfile
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from index.lexicon import load_lexicon
from index.numbers import nfkc

# jieba's _compat imports pkg_resources only to find its dictionary file, and falls back to a
# plain open() without it; importing pkg_resources cost ~0.3 CPU s of every start
# (python -X importtime, docs/benchmarks.md). Hidden only while jieba is imported.
_hide_pkg_resources = "pkg_resources" not in sys.modules
if _hide_pkg_resources:
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # makes `import pkg_resources` fail
try:
    import jieba
finally:
    if _hide_pkg_resources:
        del sys.modules["pkg_resources"]

# A number as printed: digits joined by "." or "-" (8978.04, 0314-5053366, 2023-01-01).
_NUMBER = re.compile(r"[0-9]+(?:[.\-][0-9]+)*")
_NUMBER_PARTS = re.compile(r"[0-9]+")
# Phrases the search needs whole that Lexicon.terms() lacks (it holds question and table words).
# Whitespace (Z*), punctuation (P*), symbols (S*) and control characters such as \n (C*)
# carry no meaning for retrieval.
_DROPPED_CATEGORIES = ("P", "S", "Z", "C")

# A name's frequency in jieba's dictionary: high enough to keep a place name whole (色达县 beats
# 色达 + 县), given directly because jieba's suggest_freq segments every word it adds and made
# start-up over 10,000 reports take seconds (docs/benchmarks.md).
_NAME_FREQ = 1000
# Short stretches recur in every report (table labels, section headings, the national format's
# stock clauses): their segmentation is kept. A stretch is one of the runs jieba segments apart
# (its cut(): Chinese characters, letters and digits together, anything else one character at a
# time), so a paragraph's clauses are kept one by one and give the same words as the paragraph.
_BLOCK = jieba.re_han_default
_CACHED_STRETCH = 64
_CACHE_MAX = 50_000


class _Segmentations:
    """Kept segmentations of short stretches, each with how many dictionary words had been added
    when it was made: one is made again when a word added since occurs in it. (Dropping those
    stretches at every add_words scanned the whole cache: 16 ms a report at 50,000 stretches.)"""

    def __init__(self) -> None:
        self.kept: dict[str, tuple[int, tuple[str, ...]]] = {}
        self.added: list[str] = []  # words added since the cache was last emptied, in order
        self.before = 0  # words added before that

    def stamp(self) -> int:
        """The number of words added so far: take it before segmenting."""
        return self.before + len(self.added)

    def get(self, stretch: str) -> tuple[str, ...] | None:
        """The kept words of a stretch, unless a word added since it was segmented occurs in it."""
        found = self.kept.get(stretch)
        if found is None:
            return None
        now = self.stamp()
        if found[0] != now:
            since = found[0] - self.before
            if since < 0:
                return None
            for word in self.added[since:]:  # a loop, not any(): most stretches are asked once a report
                if word in stretch:
                    return None
            self.kept[stretch] = (now, found[1])
        return found[1]

    def keep(self, stretch: str, stamp: int, words: tuple[str, ...]) -> None:
        if len(self.kept) >= _CACHE_MAX:
            self.clear()
        self.kept[stretch] = (stamp, words)

    def clear(self) -> None:
        self.before += len(self.added)
        self.added = []
        self.kept = {}


_cache = _Segmentations()
_lock = threading.Lock()
_jieba: jieba.Tokenizer | None = None


def tokenize(text: str) -> list[str]:
    """Segment text into search tokens: 不予公开的申请14287件 → 不予 公开 不予公开 申请 14287."""
    segmenter = _segmenter()
    stopwords = load_lexicon().stopwords
    tokens: list[str] = []
    text = nfkc(text).lower()
    start = 0
    for number in _NUMBER.finditer(text):
        _segment_into(tokens, segmenter, text[start : number.start()], stopwords)
        tokens.append(number.group())
        parts = _NUMBER_PARTS.findall(number.group())
        if len(parts) > 1:
            tokens.extend(parts)
        start = number.end()
    _segment_into(tokens, segmenter, text[start:], stopwords)
    return tokens


def add_words(words: Iterable[str]) -> None:
    """Make names of bodies and regions single tokens (色达县); adding a word twice is harmless."""
    segmenter = _segmenter()
    lexicon = load_lexicon()
    added = []
    with _lock:
        for name in words:
            name = unicodedata.normalize("NFKC", name).strip().lower()
            # 色达县 also makes 色达 a word: reports say 中国色达, 我县.
            for word in (name, lexicon.bare_place(name) or name):
                if len(word) >= 2 and not segmenter.FREQ.get(word):
                    segmenter.add_word(word, freq=_NAME_FREQ)
                    added.append(word)
        _cache.added.extend(added)
        if len(_cache.added) >= _CACHE_MAX:  # each kept stretch would check that many words
            _cache.clear()


def dictionary_words(text: str) -> list[str]:
    """A text's words on the dictionary's best route alone (no HMM joining unknown characters),
    as written: no normalisation, no stopwords dropped."""
    return _segmenter().lcut(text, HMM=False)


def warm_up() -> None:
    """Load jieba's dictionary and the domain phrases now rather than on the first question."""
    _segmenter()


def _segment_into(tokens: list[str], segmenter: jieba.Tokenizer, text: str, stopwords: frozenset[str]) -> None:
    """Append the words of a stretch of text without numbers, less stop words and punctuation."""
    if not text.strip():
        return
    now = _cache.stamp()
    for block in _BLOCK.split(text):
        if not block:
            continue
        # A stretch kept since the last word was added is taken as is, without asking _cache.get.
        kept = _cache.kept.get(block)
        words = kept[1] if kept is not None and kept[0] == now else _cache.get(block)
        if words is None:
            stamp = _cache.stamp()
            # HMM off: it only guesses unknown words, and names are added to the dictionary; it
            # doubled the cost of segmenting a report at load (docs/benchmarks.md).
            words = tuple(w for w in segmenter.lcut_for_search(block, HMM=False)
                          if w not in stopwords and not _is_noise(w))
            if len(block) <= _CACHED_STRETCH:
                _cache.keep(block, stamp, words)
        tokens.extend(words)


def _is_noise(word: str) -> bool:
    """Tell whether a token is only whitespace, punctuation, symbols or control characters."""
    return all(unicodedata.category(ch).startswith(_DROPPED_CATEGORIES) for ch in word)


def _segmenter() -> jieba.Tokenizer:
    """Return our jieba instance, loading it on first use (once, even with several threads)."""
    global _jieba
    if _jieba is not None:
        return _jieba
    with _lock:
        if _jieba is None:
            _jieba = _load()
    return _jieba


def _load() -> jieba.Tokenizer:
    """Load jieba's dictionary with the domain phrases, from our pickle of both when current.

    jieba's own cache is a marshal file of its 498,000-entry prefix dictionary, and
    ``marshal.load`` of it takes ~0.95 CPU s; the same dictionary pickled (protocol 5) loads in
    ~0.35 CPU s (docs/benchmarks.md). The pickle also holds the lexicon's phrases, so it is
    named by a digest of jieba's version, its dictionary file and the phrases: a changed
    lexicon makes a new file, built once (about 1.5 s) and reused by every later start.
    """
    # jieba logs its start-up at DEBUG to its own stderr handler; leave output to the app.
    jieba_log = logging.getLogger("jieba")
    jieba_log.setLevel(logging.WARNING)
    jieba_log.handlers.clear()
    terms = sorted({unicodedata.normalize("NFKC", term).lower() for term in load_lexicon().terms()})
    segmenter = jieba.Tokenizer()
    segmenter.tmp_dir = _cache_dir()
    cache = Path(segmenter.tmp_dir) / f"jieba-{_dictionary_digest(segmenter, terms)}.pickle"
    try:
        with cache.open("rb") as handle:
            segmenter.FREQ, segmenter.total = pickle.load(handle)
        segmenter.initialized = True
        return segmenter
    except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
        pass  # none yet, or unreadable: build it below
    segmenter.initialize()
    for term in terms:
        segmenter.add_word(term)
    try:
        partial = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        with partial.open("wb") as handle:
            pickle.dump((segmenter.FREQ, segmenter.total), handle, protocol=5)
        os.replace(partial, cache)  # atomic: another process never reads half a file
    except OSError:
        pass  # a cache it cannot write only costs start-up time
    return segmenter


def _dictionary_digest(segmenter: jieba.Tokenizer, terms: list[str]) -> str:
    """Name the cached dictionary by what made it: jieba's version and file, and our phrases."""
    # dictionary None: jieba's own dict.txt
    dictionary = segmenter.dictionary or os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME)
    digest = hashlib.sha1(f"{jieba.__version__}\n{dictionary}\n".encode())
    try:
        stat = os.stat(dictionary)
        digest.update(f"{stat.st_size} {stat.st_mtime_ns}\n".encode())
    except OSError:
        pass
    digest.update("\n".join(terms).encode())
    return digest.hexdigest()[:16]


def _cache_dir() -> str:
    """Where jieba keeps its parsed dictionary: ~/.cache/reportbot, else the system temp dir."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    path = Path(base) / "reportbot"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return tempfile.gettempdir()
    return str(path) if os.access(path, os.W_OK) else tempfile.gettempdir()
