"""The database finder's fallbacks, run for real: with no URL, no local
server and no Docker, it starts a private mariadbd/mysqld; with nothing at
all, it stops with one line saying what to install."""
import os

import pytest

from scripts import dbserver


@pytest.fixture
def nothing_running(monkeypatch):
    """As on a fresh machine: no URL in the environment, nothing on 3306, no Docker."""
    for name in ("DATABASE_URL", "TEST_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    real_answers = dbserver.answers
    monkeypatch.setattr(
        dbserver, "answers",
        lambda server, timeout=2: server.port != 3306 and real_answers(server, timeout),
    )
    monkeypatch.setattr(dbserver, "start_testcontainer", lambda: None)


def test_falls_back_to_a_private_server_and_removes_it(nothing_running):
    server = dbserver.find_or_start(("TEST_DATABASE_URL",))
    try:
        assert server.origin.startswith("private")
        assert server.port != 3306
        conn = server.connect()
        with conn.cursor() as cursor:
            cursor.execute("SELECT VERSION()")
            assert cursor.fetchone()[0]
        conn.close()
        datadir_root = server.temp_dir
        assert os.path.isdir(datadir_root)
    finally:
        server.stop()
    assert not os.path.exists(datadir_root)


def test_with_nothing_at_all_it_says_what_to_install(nothing_running, monkeypatch):
    monkeypatch.setattr(dbserver, "find_server_binary", lambda: None)
    with pytest.raises(SystemExit) as stopped:
        dbserver.find_or_start(("TEST_DATABASE_URL",))
    message = str(stopped.value)
    assert "\n" not in message
    assert "apt-get install mariadb-server" in message


def test_a_url_from_the_environment_wins(monkeypatch, db_server):
    monkeypatch.setenv("TEST_DATABASE_URL", db_server.url())
    found = dbserver.find_or_start(("TEST_DATABASE_URL",))
    assert (found.origin, found.host, found.port) == ("environment", db_server.host, db_server.port)


def test_a_server_url_reads_back_with_any_characters_in_user_and_password():
    server = dbserver.Server("db.example", 3307, user="me@home", password="p:w/d@#?%")
    found = dbserver.from_url(server.url())
    assert (found.host, found.port, found.user, found.password) == (
        "db.example", 3307, "me@home", "p:w/d@#?%")
