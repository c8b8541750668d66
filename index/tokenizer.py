"""The one segmenter: index text and questions are cut by the same function.

Search-mode segmentation (``cut_for_search``) emits a long word and its dictionary sub-words,
which favours recall: 政府信息公开 also yields 政府, 信息, 公开. Numbers are cut out before
the segmenter sees the text, so 0314-5053366 or 8978.04 stay whole (and their parts are tokens too).

The words are jieba's, cut by rjieba (jieba-rs: jieba's dictionary and algorithm in Rust, MIT).
It gives the same words as jieba over every stretch of the samples' text and of 300 synthetic
reports (tests/test_tokenizer.py holds them equal), cuts a report's text 8 times faster, and
loads its dictionary in 0.25 CPU s, where jieba's took 0.35 from our pickle and kept 500,000
Python strings in memory (docs/benchmarks.md, stop 19). jieba itself is loaded only for what
rjieba lacks: the frequencies the lexicon's phrases are added with (jieba's own suggestion,
worked out once and kept in a small file) and the part-of-speech tagger that a few questions
need (bot/understand.py), which gets every word taught here too.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
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
from types import ModuleType
from typing import TYPE_CHECKING

import rjieba

from index.lexicon import load_lexicon
from index.numbers import nfkc

if TYPE_CHECKING:
    import jieba

# A number as printed: digits joined by "." or "-" (8978.04, 0314-5053366, 2023-01-01).
_NUMBER = re.compile(r"[0-9]+(?:[.\-][0-9]+)*")
_NUMBER_PARTS = re.compile(r"[0-9]+")
# Phrases the search needs whole that Lexicon.terms() lacks (it holds question and table words).
# Whitespace (Z*), punctuation (P*), symbols (S*) and control characters such as \n (C*)
# carry no meaning for retrieval.
_DROPPED_CATEGORIES = ("P", "S", "Z", "C")

# A name's frequency in the dictionary: high enough to keep a place name whole (色达县 beats
# 色达 + 县), given directly because jieba's suggest_freq segments every word it adds and made
# start-up over 10,000 reports take seconds (docs/benchmarks.md).
_NAME_FREQ = 1000
# Short stretches recur in every report (table labels, section headings, the national format's
# stock clauses): their segmentation is kept. A stretch is one of the runs jieba segments apart
# (its cut(): Chinese characters, letters and digits together, anything else one character at a
# time), so a paragraph's clauses are kept one by one and give the same words as the paragraph.
# jieba's own pattern for them (re_han_default), written out so that cutting never imports jieba.
_BLOCK = re.compile(r"([\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+)")
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
# Loading either dictionary (once, even with several threads).
_load_lock = threading.Lock()
# Every call into rjieba: adding a word while another thread cuts text is refused by the binding
# (it cuts without Python's lock held), so cutting and adding take turns.
_use_lock = threading.Lock()
_fast: rjieba.Jieba | None = None
_jieba: jieba.Tokenizer | None = None  # loaded only when asked for (jieba_segmenter)
_taught: list[str] = []
# A word no text can hold (two private-use characters: the segmenter never sees them side by
# side, since each is cut apart from its neighbours), added only to bring the total to jieba's.
_TOTAL_MAKEWEIGHT = "\U000f0000\U000f0001"  # every word add_words added, in order: given to jieba when it is loaded


def tokenize(text: str) -> list[str]:
    """Segment text into search tokens: 不予公开的申请14287件 → 不予 公开 不予公开 申请 14287."""
    segmenter = _segmenter()
    stopwords = load_lexicon().stopwords
    tokens: list[str] = []
    text = nfkc(text).lower()
    start = 0
    with _use_lock:
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
    with _use_lock:
        for name in words:
            name = unicodedata.normalize("NFKC", name).strip().lower()
            # 色达县 also makes 色达 a word: reports say 中国色达, 我县.
            for word in (name, lexicon.bare_place(name) or name):
                if len(word) >= 2 and not segmenter.has_word(word):
                    segmenter.add_word(word, _NAME_FREQ, None)
                    added.append(word)
                    if _jieba is not None:
                        _jieba.add_word(word, freq=_NAME_FREQ)
        _taught.extend(added)
        _cache.added.extend(added)
        if len(_cache.added) >= _CACHE_MAX:  # each kept stretch would check that many words
            _cache.clear()


def dictionary_words(text: str) -> list[str]:
    """A text's words on the dictionary's best route alone (no HMM joining unknown characters),
    as written: no normalisation, no stopwords dropped."""
    segmenter = _segmenter()
    with _use_lock:
        return segmenter.cut(text, False)


def warm_up() -> None:
    """Load the dictionary and the domain phrases now rather than on the first question."""
    _segmenter()


def _segment_into(tokens: list[str], segmenter: rjieba.Jieba, text: str, stopwords: frozenset[str]) -> None:
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
            words = tuple(w for w in segmenter.cut_for_search(block, False) if w not in stopwords and not _is_noise(w))
            if len(block) <= _CACHED_STRETCH:
                _cache.keep(block, stamp, words)
        tokens.extend(words)


def _is_noise(word: str) -> bool:
    """Tell whether a token is only whitespace, punctuation, symbols or control characters."""
    return all(unicodedata.category(ch).startswith(_DROPPED_CATEGORIES) for ch in word)


def _segmenter() -> rjieba.Jieba:
    """Return the segmenter, loading it on first use (once, even with several threads)."""
    global _fast
    if _fast is not None:
        return _fast
    with _load_lock:
        if _fast is None:
            fast = rjieba.Jieba()
            freqs, replaced = _phrase_frequencies()
            for term, freq in freqs.items():
                fast.add_word(term, freq, None)
            if replaced:
                fast.add_word(_TOTAL_MAKEWEIGHT, replaced, None)
            _fast = fast
    return _fast


def jieba_segmenter() -> jieba.Tokenizer:
    """jieba itself, with the same dictionary, phrases and taught names as the segmenter: for
    jieba's part-of-speech tagger (bot/understand.py). Loaded on first use (0.35 CPU s)."""
    global _jieba
    if _jieba is not None:
        return _jieba
    with _load_lock:
        if _jieba is None:
            loaded = _load()
            with _use_lock:
                for word in _taught:
                    loaded.add_word(word, freq=_NAME_FREQ)
                _jieba = loaded
    return _jieba


def _phrase_frequencies() -> tuple[dict[str, int], int]:
    """The lexicon's phrases with the frequency jieba gives each when it adds it (its suggest_freq:
    enough to keep the phrase whole), and the sum of the dictionary's own frequencies of the
    phrases it already had. Worked out once with jieba, kept in a small file named like jieba's.

    rjieba suggests one less for a tenth of the phrases (its sums are done in logarithms), so
    jieba's are used. And where a phrase is already a word, jieba adds the new frequency to the
    dictionary's total without taking the old one away; rjieba takes it away. The total weighs
    every route through a sentence (本年 against 本 + 年), so the segmenter adds that sum back
    (_segmenter) and its total is jieba's to the unit.
    """
    terms = _phrases()
    path = Path(_cache_dir()) / f"phrases-{_dictionary_digest(terms)}.pickle"
    try:
        with path.open("rb") as handle:
            freqs, replaced = pickle.load(handle)
        if isinstance(freqs, dict) and set(freqs) == set(terms) and isinstance(replaced, int):
            return freqs, replaced
    except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
        pass  # none yet, or unreadable: worked out below
    segmenter = _load()
    freqs = {term: segmenter.FREQ[term] for term in terms}
    replaced = 0
    with open(_dictionary_file(), encoding="utf-8") as dictionary:
        for line in dictionary:
            word, _, rest = line.strip().partition(" ")
            if word in freqs:
                replaced += int(rest.split(" ", 1)[0])
    _write_atomically(path, (freqs, replaced))
    return freqs, replaced


def _phrases() -> list[str]:
    """The lexicon's phrases as the segmenter sees them (NFKC, lower case), sorted."""
    return sorted({unicodedata.normalize("NFKC", term).lower() for term in load_lexicon().terms()})


def _import_jieba() -> ModuleType:
    """Import jieba (for the tagger, or to work out the phrases' frequencies once).

    jieba's _compat imports pkg_resources only to find its dictionary file, and falls back to a
    plain open() without it; importing pkg_resources cost ~0.3 CPU s (python -X importtime,
    docs/benchmarks.md). Hidden only while jieba is imported.
    """
    hide = "pkg_resources" not in sys.modules
    if hide:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # makes `import pkg_resources` fail
    try:
        import jieba
    finally:
        if hide:
            del sys.modules["pkg_resources"]
    return jieba


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
    terms = _phrases()
    segmenter = _import_jieba().Tokenizer()
    segmenter.tmp_dir = _cache_dir()
    cache = Path(segmenter.tmp_dir) / f"jieba-{_dictionary_digest(terms)}.pickle"
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
    _write_atomically(cache, (segmenter.FREQ, segmenter.total))
    return segmenter


def _write_atomically(path: Path, data: object) -> None:
    """Pickle data to a file another process never reads half of; a cache it cannot write only
    costs start-up time."""
    try:
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with partial.open("wb") as handle:
            pickle.dump(data, handle, protocol=5)
        os.replace(partial, path)
    except OSError:
        pass


def _dictionary_file() -> str:
    """jieba's dictionary file (one word a line: word, frequency, part of speech)."""
    spec = importlib.util.find_spec("jieba")  # found, not imported
    return os.path.join(os.path.dirname(spec.origin or ""), "dict.txt")


def _dictionary_digest(terms: list[str]) -> str:
    """Name the cached dictionary by what made it: jieba's version and file, and our phrases."""
    dictionary = _dictionary_file()
    digest = hashlib.sha1(f"{importlib.metadata.version('jieba')}\n{dictionary}\n".encode())
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
