"""Staff sessions and login throttling on their own, with a clock the test moves."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.staff.db import Database
from app.staff.sessions import DatabaseSessions, MemorySessions, token_hash
from app.staff.tables import StaffSessionRow
from app.staff.throttle import Busy, Locked, LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_session_token_names_its_user_until_it_expires_or_is_revoked():
    clock = Clock()
    sessions = MemorySessions(clock)
    token = sessions.create("alice", lifetime=60)
    other = sessions.create("bob", lifetime=600)
    assert len(token) >= 40 and token != other
    assert sessions.user(token) == "alice" and sessions.user(other) == "bob"
    assert token not in repr(sessions._sessions) and token_hash(token) in sessions._sessions  # hashes only
    assert sessions.user("made-up") is None and sessions.user(None) is None
    clock.now += 61
    assert sessions.user(token) is None and sessions.user(other) == "bob"
    sessions.revoke(other)
    assert sessions.user(other) is None


class WallClock:
    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 9, 0)

    def __call__(self) -> datetime:
        return self.now


def test_sessions_in_the_database_are_shared_by_servers_and_hold_only_hashes(database_url: str):
    """Two servers on one database: a login on one opens the other; a logout on either ends it."""
    clock = WallClock()
    first, second = Database(database_url), Database(database_url)
    try:
        one, other = DatabaseSessions(first, clock), DatabaseSessions(second, clock)
        token = one.create("alice", lifetime=60)
        later = one.create("bob", lifetime=600)
        assert other.user(token) == "alice" and other.user(later) == "bob"
        assert other.user("made-up") is None and other.user(None) is None
        with second.session() as session:
            stored = set(session.scalars(select(StaffSessionRow.token_hash)))
        assert stored == {token_hash(token), token_hash(later)}  # hashes only
        clock.now += timedelta(seconds=61)
        assert one.user(token) is None and other.user(later) == "bob"
        other.revoke(later)
        assert one.user(later) is None
        one.create("carol", lifetime=60)  # a new login clears expired rows
        with first.session() as session:
            assert [r.user for r in session.scalars(select(StaffSessionRow))] == ["carol"]
    finally:
        first.close()
        second.close()


def test_an_unreachable_session_database_opens_nothing(caplog):
    sessions = DatabaseSessions(Database("postgresql+psycopg://nobody@127.0.0.1:9/none"))
    assert sessions.user("any-token") is None
    assert "staff sessions unavailable" in caplog.text


def test_failures_lock_a_user_name_for_the_window_then_it_may_try_again():
    clock = Clock()
    throttle = LoginThrottle(max_per_user=3, max_per_address=100, window=600, clock=clock)
    keys = throttle.keys("Alice ", "10.0.0.1")
    assert keys == ["user:alice", "address:10.0.0.1"]
    for n in range(3):
        throttle.begin(keys)
        assert throttle.end(keys, succeeded=False) == (["user:alice"] if n == 2 else [])
    with pytest.raises(Locked) as locked:
        throttle.begin(throttle.keys("alice", "10.0.0.2"))  # the user name, from any address
    assert locked.value.retry_after == pytest.approx(600)
    clock.now += 601
    throttle.begin(keys)
    throttle.end(keys, succeeded=True)


def test_failures_lock_an_address_for_every_user_name():
    clock = Clock()
    throttle = LoginThrottle(max_per_user=100, max_per_address=2, window=60, clock=clock)
    for name in ("a", "b"):
        keys = throttle.keys(name, "10.0.0.9")
        throttle.begin(keys)
        throttle.end(keys, succeeded=False)
    with pytest.raises(Locked):
        throttle.begin(throttle.keys("c", "10.0.0.9"))
    throttle.begin(throttle.keys("c", "10.0.0.8"))


def test_a_right_password_clears_the_user_names_failures_not_the_addresss():
    clock = Clock()
    throttle = LoginThrottle(max_per_user=2, max_per_address=3, window=60, clock=clock)
    keys = throttle.keys("alice", "10.0.0.1")
    for succeeded in (False, True, False):
        throttle.begin(keys)
        throttle.end(keys, succeeded)
    throttle.begin(keys)  # the user name has one failure since the success: not locked
    assert throttle.end(keys, succeeded=False) == ["user:alice", "address:10.0.0.1"]


def test_attempts_under_way_count_so_parallel_guesses_cannot_slip_in():
    throttle = LoginThrottle(max_per_user=3, max_per_address=100, window=60, clock=Clock())
    keys = throttle.keys("alice", "10.0.0.1")
    started = 0
    for _ in range(10):  # none has ended yet
        try:
            throttle.begin(keys)
            started += 1
        except Busy:
            pass
    assert started == 3
    for _ in range(3):
        throttle.end(keys, succeeded=False)
    with pytest.raises(Locked):
        throttle.begin(keys)


def test_old_failures_are_forgotten():
    clock = Clock()
    throttle = LoginThrottle(max_per_user=2, max_per_address=100, window=60, clock=clock)
    keys = throttle.keys("alice", "10.0.0.1")
    throttle.begin(keys)
    throttle.end(keys, succeeded=False)
    clock.now += 61
    throttle.begin(keys)
    assert throttle.end(keys, succeeded=False) == []  # the first failure no longer counts
    assert "address:10.0.0.1" in throttle._counts and len(throttle._counts["user:alice"].failures) == 1
