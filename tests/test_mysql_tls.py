"""MYSQL_SSL_MODE, the client setting behind the compose file's MySQL 8.4:
read and checked at start, passed to the driver, and tried against a private
server that, like the compose servers, refuses TCP connections without TLS."""
import subprocess

import pytest

from app import create_app
from config import SSL_MODES, config_from_environment, ssl_mode
from migrations import create_database, run_script
from queries import SQL_DIR
from scripts.dbserver import PrivateServer, find_server_binary

DATABASE = "boards_tls"
SECRET = "test-secret-key-that-is-long-enough-for-hs256"


class TlsServer(PrivateServer):
    """A private server that offers TLS, with a throwaway self-signed certificate."""

    def __init__(self, binary, certificate, key):
        self.tls_options = [f"--ssl-cert={certificate}", f"--ssl-key={key}"]
        super().__init__(binary)

    def _user_args(self):
        return [*super()._user_args(), *self.tls_options]


@pytest.fixture(scope="module")
def tls_only_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    certificate, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(certificate), "-days", "1", "-subj", "/CN=boards-test"],
        check=True, capture_output=True, timeout=60,
    )
    private = TlsServer(find_server_binary(), certificate, key)
    try:
        server = private.start()
        conn = server.connect()
        create_database(conn, DATABASE)
        conn.select_db(DATABASE)
        run_script(conn, SQL_DIR / "schema.sql")
        with conn.cursor() as cursor:
            cursor.execute("SET GLOBAL require_secure_transport = ON")
        conn.close()
        yield server
    finally:
        private.stop()


def app_on(server, **settings):
    return create_app({**server.app_config(DATABASE), "SECRET_KEY": SECRET, "TESTING": True, **settings})


@pytest.mark.parametrize(
    ("value", "mode"),
    [("", None), ("  ", None), ("REQUIRED", "REQUIRED"), ("required", "REQUIRED"), (" verify_ca ", "VERIFY_CA")],
)
def test_ssl_mode_names_are_the_drivers(value, mode):
    assert ssl_mode(value) == mode
    assert mode is None or mode in SSL_MODES


@pytest.mark.parametrize("value", ["on", "true", "1", "REQUIRE"])
def test_an_unknown_ssl_mode_stops_the_start(value):
    with pytest.raises(ValueError, match="MYSQL_SSL_MODE"):
        config_from_environment({"MYSQL_SSL_MODE": value})


def test_ssl_mode_is_unset_by_default_so_a_server_without_tls_still_works():
    assert config_from_environment({})["MYSQL_SSL_MODE"] is None


@pytest.mark.parametrize(("settings", "expected"), [({}, None), ({"MYSQL_SSL_MODE": "REQUIRED"}, "REQUIRED")])
def test_the_driver_gets_ssl_mode_only_when_it_is_set(db_server, settings, expected):
    app = app_on(db_server, **settings)
    with app.app_context():
        kwargs = app.extensions["boards_db"].connect_kwargs()
    assert kwargs.get("ssl_mode") == expected
    assert ("ssl_mode" in kwargs) == (expected is not None)


def test_without_the_setting_a_server_that_requires_tls_refuses_the_app(tls_only_server):
    response = app_on(tls_only_server).test_client().get("/health")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_with_ssl_mode_required_the_app_talks_to_it_over_tls(tls_only_server):
    app = app_on(tls_only_server, MYSQL_SSL_MODE="REQUIRED")
    assert app.test_client().get("/health").status_code == 200
    with app.app_context():
        conn = app.extensions["boards_db"].connect
    try:
        with conn.cursor() as cursor:
            cursor.execute("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
            assert cursor.fetchone()["Value"]
    finally:
        conn.close()
