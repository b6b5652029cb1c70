"""`make run`: find or start a database, apply the schema and pending
migrations, then serve the app under the production server (Granian,
scripts/web_server.py) on http://127.0.0.1:5000, with the worker that keeps
the feeds (`flask --app app worker`) beside it."""
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.dbserver import find_or_start  # noqa: E402
from scripts.processes import Production  # noqa: E402


def stop_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def main():
    server = find_or_start(("DATABASE_URL",)) if not os.environ.get("MYSQL_HOST") else None
    env = dict(os.environ)
    if server is not None:
        env.update(server.environment())
        print(f"Database: {server.origin} ({server.host}:{server.port})", flush=True)
    env.setdefault("MYSQL_DB", "boards")
    if not env.get("SECRET_KEY"):
        # One key for every worker: a key made per worker (app.py's fallback)
        # would make a token from one worker invalid on the other.
        env["SECRET_KEY"] = secrets.token_urlsafe(32)
        print("SECRET_KEY is not set: using a random one for this run; "
              "tokens and cursors end with it.", flush=True)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    web_server = Production("wsgi:app", env, bind=env.get("BIND", "127.0.0.1:5000"))
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    worker = None
    try:
        subprocess.run([*flask, "init-db"], cwd=ROOT, env=env, check=True)
        subprocess.run([*flask, "migrate"], cwd=ROOT, env=env, check=True)
        worker = subprocess.Popen([*flask, "worker"], cwd=ROOT, env=env, start_new_session=True)
        print(f"Serving on http://{web_server.bind} (Swagger UI: /swagger-ui)", flush=True)
        web_server.start().process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        web_server.stop()
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
