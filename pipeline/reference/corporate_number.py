"""法人番号 (corporate number) check digit, as defined by the National Tax Agency.

The first of the 13 digits is the check digit; the other 12 are the base.
With P(n) the n-th base digit counted from the right and Q(n) = 1 for odd n,
2 for even n: check = 9 - (sum P(n)·Q(n) mod 9).
"""

from __future__ import annotations


def check_digit(base: str) -> int:
    """Check digit for a 12-digit base number."""
    if len(base) != 12 or not base.isascii() or not base.isdigit():
        raise ValueError(f"a 法人番号 base is 12 ASCII digits, got {base!r}")
    total = 0
    for n, digit in enumerate(reversed(base), start=1):
        total += int(digit) * (1 if n % 2 else 2)
    return 9 - total % 9


def is_valid(number: str) -> bool:
    """True when `number` is 13 ASCII digits with a correct check digit."""
    if len(number) != 13 or not number.isascii() or not number.isdigit():
        return False
    return int(number[0]) == check_digit(number[1:])


def with_check_digit(base: str) -> str:
    """The full 13-digit 法人番号 for a 12-digit base."""
    return f"{check_digit(base)}{base}"
