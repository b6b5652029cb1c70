"""`make run`: find or start a database, apply the schema and pending
migrations, then serve the app under gunicorn on http://127.0.0.1:5000."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.dbserver import find_or_start  # noqa: E402


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
    try:
        subprocess.run([*flask, "init-db"], cwd=ROOT, env=env, check=True)
        subprocess.run([*flask, "migrate"], cwd=ROOT, env=env, check=True)
        bind = env.get("BIND", "127.0.0.1:5000")
        print(f"Serving on http://{bind} (Swagger UI: /swagger-ui)", flush=True)
        subprocess.run(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", bind, "wsgi:app"],
            cwd=ROOT, env=env, check=False,
        )
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
