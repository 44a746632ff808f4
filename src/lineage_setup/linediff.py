"""Unified diffs of long line lists changed in a few places (a large spark-defaults.conf, say).

difflib's matcher indexes every line of both lists first: for a 100,000-line file with a line replaced
near its top and settings appended at its end that took 0.15 s, more than the edit itself. Here the lists
are compared by Myers' algorithm ("An O(ND) Difference Algorithm and Its Variations", 1986: the fewest
lines taken out and put in), whose cost is about the number of unchanged lines, compared a block at a
time, when the changes are few. Past `MAX_EDITS` changed lines it stops and difflib answers instead.
The lines are difflib.unified_diff's, in its format (tests/test_linediff.py holds them to it, and to the
one rule of a patch: applied to the old lines, it gives the new ones).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence

MAX_EDITS = 200  # lines taken out plus lines put in
Opcode = tuple[str, int, int, int, int]  # as difflib's: tag, a[i1:i2], b[j1:j2]


def unified(old: Sequence[str], new: Sequence[str], fromfile: str, tofile: str, n: int = 3) -> Iterator[str]:
    """difflib.unified_diff(old, new, fromfile, tofile, n=n), lines with their own endings."""
    codes = opcodes(old, new)
    if codes is None:
        yield from difflib.unified_diff(old, new, fromfile, tofile, n=n)
        return
    for number, group in enumerate(_grouped(codes, n)):
        if number == 0:
            yield f"--- {fromfile}\n"
            yield f"+++ {tofile}\n"
        first, last = group[0], group[-1]
        yield f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n"
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                yield from (" " + line for line in old[i1:i2])
                continue
            yield from ("-" + line for line in old[i1:i2])
            yield from ("+" + line for line in new[j1:j2])


def opcodes(a: Sequence[str], b: Sequence[str], limit: int = MAX_EDITS) -> list[Opcode] | None:
    """The shortest edit script as difflib-style opcodes; None when it changes more than `limit` lines."""
    trace = _forward(a, b, limit)
    if trace is None:
        return None
    codes: list[Opcode] = []
    for x0, y0, x1, y1 in reversed(list(_backward(trace, len(a), len(b), limit + 1))):
        tag = "equal" if x1 - x0 == y1 - y0 else "delete" if y1 == y0 else "insert"
        if codes and (codes[-1][0] == tag or {codes[-1][0], tag} <= {"delete", "insert", "replace"}):
            previous = codes[-1]
            merged = tag if previous[0] == tag else "replace"
            codes[-1] = (merged, previous[1], x1, previous[3], y1)
        else:
            codes.append((tag, x0, x1, y0, y1))
    return codes


def _forward(a: Sequence[str], b: Sequence[str], limit: int) -> list[list[int]] | None:
    """Myers' greedy search: for each number of edits d, the furthest x reached on each diagonal k = x - y
    (kept per d, to walk back). None past `limit` edits."""
    n, m = len(a), len(b)
    offset = limit + 1
    furthest = [0] * (2 * limit + 3)
    trace = []
    for d in range(limit + 1):
        trace.append(furthest[:])
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and furthest[offset + k - 1] < furthest[offset + k + 1]):
                x = furthest[offset + k + 1]  # down: a line put in
            else:
                x = furthest[offset + k - 1] + 1  # right: a line taken out
            x, y = _snake(a, b, x, x - k)
            furthest[offset + k] = x
            if x >= n and y >= m:
                return trace
    return None


def _snake(a: Sequence[str], b: Sequence[str], x: int, y: int) -> tuple[int, int]:
    """Along equal lines as far as they go, a doubling block at a time (each comparison runs in C)."""
    n, m = len(a), len(b)
    span = 1
    while x < n and y < m and a[x] == b[y]:
        span = min(span * 2, n - x, m - y)
        if a[x : x + span] == b[y : y + span]:
            x, y = x + span, y + span
        else:
            span = 1
            x, y = x + 1, y + 1
    return x, y


def _backward(trace: list[list[int]], x: int, y: int, offset: int) -> Iterator[tuple[int, int, int, int]]:
    """Each move of the path found, from the end back: (x0, y0, x1, y1), a run of equal lines as one."""
    for d in range(len(trace) - 1, -1, -1):
        furthest, k = trace[d], x - y
        down = k == -d or (k != d and furthest[offset + k - 1] < furthest[offset + k + 1])
        previous_k = k + 1 if down else k - 1
        previous_x = furthest[offset + previous_k]
        previous_y = previous_x - previous_k
        run = min(x - previous_x, y - previous_y)
        if run > 0:
            yield x - run, y - run, x, y
            x, y = x - run, y - run
        if d > 0:
            yield previous_x, previous_y, x, y
        x, y = previous_x, previous_y


def _grouped(codes: list[Opcode], n: int) -> Iterator[list[Opcode]]:
    """difflib.SequenceMatcher.get_grouped_opcodes: the changes, each with `n` lines of context around,
    in hunks (changes closer than 2n lines share one)."""
    codes = list(codes) or [("equal", 0, 1, 0, 1)]
    if codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = tag, max(i1, i2 - n), i2, max(j1, j2 - n), j2
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)
    group: list[Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > 2 * n:
            group.append((tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)))
            yield group
            group = []
            i1, j1 = max(i1, i2 - n), max(j1, j2 - n)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        yield group


def _range(start: int, stop: int) -> str:
    """difflib's `start,length` of a hunk (1-based; an empty range names the line before it)."""
    beginning, length = start + 1, stop - start
    if length == 1:
        return str(beginning)
    if not length:
        beginning -= 1
    return f"{beginning},{length}"
