from __future__ import annotations

import statistics
import time

from concurso_coach.accounts.passwords import hash_password, verify_password


def _median_seconds(action: object, runs: int = 5) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def test_unknown_account_costs_a_full_argon2_verify() -> None:
    stored = hash_password("the-real-password-1", "standard")

    wrong = _median_seconds(lambda: verify_password(stored, "wrong-password-1", "standard"))
    unknown = _median_seconds(lambda: verify_password(None, "wrong-password-1", "standard"))

    # Same parameters, same work; without the dummy verify the ratio would be ~0.001.
    # Wide bounds keep a busy machine from flaking.
    assert 0.25 < unknown / wrong < 4.0


def test_right_password_verifies_and_wrong_one_does_not() -> None:
    stored = hash_password("the-real-password-1", "fast")

    assert verify_password(stored, "the-real-password-1", "fast")
    assert not verify_password(stored, "the-real-password-2", "fast")


def test_unknown_account_never_verifies() -> None:
    assert not verify_password(None, "not-a-real-password-used-to-equalise-timing", "fast")
