"""Passwords: hashed with Argon2id, and refused when a guesser would find them early.

zxcvbn (Dropbox's estimator, Python port) scores a password against its bundled lists of
common passwords, names and English words, keyboard walks, repeats and dates; the portal
asks for score 3 ("safely unguessable", about 10⁸ guesses), besides 12 characters.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128  # zxcvbn's time grows with length; Argon2 does not care
MIN_SCORE = 3
_HINTS = ("portal", "重点支援企業候補", "地域未来")  # words a guesser would try here first
_HASHER = PasswordHasher()
# Verified when the account is unknown, so that a wrong name takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class PasswordProblem:
    """Why a new password is refused: for the command line and for the page."""

    english: str
    japanese: str


def password_problem(password: str, username: str) -> PasswordProblem | None:
    """None if the password may be used, else why not."""
    if len(password) < MIN_LENGTH:
        return PasswordProblem(
            f"a password has at least {MIN_LENGTH} characters",
            f"パスワードは{MIN_LENGTH}文字以上にしてください。",
        )
    if len(password) > MAX_LENGTH:
        return PasswordProblem(
            f"a password has at most {MAX_LENGTH} characters",
            f"パスワードは{MAX_LENGTH}文字以内にしてください。",
        )
    verdict = zxcvbn(password, user_inputs=[username, *_HINTS], max_length=MAX_LENGTH)
    if verdict["score"] < MIN_SCORE:
        why = verdict["feedback"]["warning"] or "it follows a pattern guessers try early"
        return PasswordProblem(
            f"the password is too easy to guess: {why} (zxcvbn score {verdict['score']}, {MIN_SCORE} needed)",
            "推測されやすいパスワードです（よく使われるパスワード、単語や名前、繰り返し、"
            "キーボードの並び、日付など）。長く、予測しにくいものにしてください。",
        )
    return None


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; an unknown account (None) costs the same Argon2 time."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
