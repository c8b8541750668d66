"""Fault points for the crash tests: REPORTBOT_FAULT_AT=NAME kills this process there, as kill -9 would.

Only tests set the variable (tests/test_faults.py); unset, a fault point costs one dict lookup.
``NAME@N`` acts the N-th time the point is reached (``save.committed@2``: after the second
report of a load is committed); ``NAME:hang`` sleeps there instead of dying, for a test that
kills the process from outside (a worker preparing a file while its parent is killed).
"""
from __future__ import annotations

import os
import signal
import time
from collections import Counter

ENV = "REPORTBOT_FAULT_AT"
_reached: Counter[str] = Counter()


def fault_point(name: str) -> None:
    """Die here with SIGKILL (or hang) when REPORTBOT_FAULT_AT names this point (test-only hook)."""
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    wanted, _, action = wanted.partition(":")
    point, _, count = wanted.partition("@")
    if point != name:
        return
    _reached[name] += 1
    if _reached[name] < int(count or 1):
        return
    if action == "hang":
        time.sleep(600)
    else:
        os.kill(os.getpid(), signal.SIGKILL)
