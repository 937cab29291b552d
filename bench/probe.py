"""An outside probe of issue 12's hardening, over HTTP against a real gunicorn server with several workers.

    .venv/bin/python bench/probe.py [--workers 3] [--pg postgresql+psycopg://postgres@127.0.0.1:5432]

Loads the demo into a fresh database (SQLite in a temporary folder, or the PostgreSQL database
codesign_probe with --pg), starts `codesign run` on 127.0.0.1, then, as a stranger would:

- sends off-site `next` targets (generated here, not the tests' list) to the login and the language
  switch, and counts redirects that a browser would follow off the site;
- sends integers beyond the database's range to every `<int:…>` route and to `limit`/`offset`, as an
  admin, and counts 5xx;
- logs in, copies the session cookie, logs out (and changes a password) and tries the copy;
- guesses passwords, new connection each time (so the guesses spread over the workers).

Prints the figures that docs/reliability.md records. Only loopback traffic.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import itertools
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = ROOT / ".venv" / "bin"
PASSWORD = "codesign-demo-2026"
ADMIN = "admin@comune.milano.example"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base: str, address: str = "192.0.2.1"):
        self.base, self.address = base, address  # the client's address, as the trusted proxy reports it
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"X-Forwarded-For": self.address, **(headers or {})}
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=30) as r:
                return r.status, dict(r.headers), r.read().decode(errors="replace")
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read().decode(errors="replace")

    def token(self, path: str = "/accedi") -> str:
        _, _, html = self.request("GET", path)
        return CSRF.search(html).group(1)

    def login(self, email: str, password: str, next_: str | None = None):
        q = "?" + urllib.parse.urlencode({"next": next_}) if next_ is not None else ""
        return self.request("POST", "/accedi" + q, {"email": email, "password": password, "csrf_token": self.token()})

    def logged_in(self) -> bool:
        return self.request("GET", "/profilo/password")[0] == 200

    def logout(self):
        return self.request("POST", "/esci", {"csrf_token": self.token("/")})

    def cookie(self) -> str:
        return next(c.value for c in self.jar if c.name == "session")

    def set_cookie(self, value: str) -> None:
        self.jar.clear()
        host = urllib.parse.urlsplit(self.base).hostname
        self.jar.set_cookie(http.cookiejar.Cookie(0, "session", value, None, False, host, False, False, "/", True,
                                                  False, None, False, None, None, {}))


def browser_target(base: str, location: str) -> str:
    """Where a browser goes with this Location: it drops tabs and newlines and reads \\ as /."""
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    return urllib.parse.urlsplit(urllib.parse.urljoin(base + "/", cleaned)).netloc


def off_site_targets() -> list[str]:
    hosts = ["evil.example", "evil.example:8443", "user@evil.example", "127.0.0.1.evil.example", "xn--evil-9ta.example"]
    prefixes = ["//", "///", "/\\", "\\\\", "\\/", "/\t/", "/\n/", "/\r\n/", "\t//", " //", "/ /", "https://", "http:",
                "https:/", "//\t", "/%2F", "/%5C", "//%09", "javascript://", "\x0b//", "/\u3002/", "\u2215\u2215"]
    return [p + h + "/percorso?x=1" for p, h in itertools.product(prefixes, hosts)]


def int_paths() -> list[tuple[str, str]]:
    os.environ.setdefault("CODESIGN_INSTANCE_PATH", tempfile.mkdtemp())
    from werkzeug.routing import IntegerConverter

    from codesign import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "probe"})
    numbers = [2 ** 31, 2 ** 32 + 5, 10 ** 12, 4_000_000_000_000_017, 2 ** 63, 2 ** 64 + 1, 10 ** 25 + 3]
    out = []
    for rule in app.url_map.iter_rules():
        ints = [n for n, c in rule._converters.items() if isinstance(c, IntegerConverter)]
        if not ints:
            continue
        for number in numbers:
            path = rule.rule
            for name, conv in rule._converters.items():
                path = re.sub(r"<(?:[a-z_]+:)?" + name + ">", str(number) if name in ints else "x", path)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                out.append((method, path))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--pg", help="PostgreSQL server URL (the database codesign_probe is recreated)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="codesign-probe-"))
    # Behind one (simulated) proxy: each part of the probe comes from its own client address.
    env = dict(os.environ, CODESIGN_INSTANCE_PATH=str(tmp / "instance"), CODESIGN_TRUSTED_PROXIES="1")
    if args.pg:
        import sqlalchemy as sa

        admin = sa.create_engine(args.pg.rstrip("/") + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text("DROP DATABASE IF EXISTS codesign_probe WITH (FORCE)"))
            conn.execute(sa.text("CREATE DATABASE codesign_probe"))
        admin.dispose()
        env["CODESIGN_DATABASE_URL"] = args.pg.rstrip("/") + "/codesign_probe"
    else:
        env["CODESIGN_DATABASE_URL"] = f"sqlite:///{tmp / 'probe.sqlite'}"
    subprocess.run([BIN / "codesign", "demo"], env=env, check=True, capture_output=True)
    token = subprocess.run([BIN / "codesign", "tokens", "issue", ADMIN], env=env, check=True, capture_output=True,
                           text=True).stdout.strip()
    port = free_port()
    server = subprocess.Popen([BIN / "codesign", "run", "--port", str(port), "--workers", str(args.workers)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        probe(base, token, args.workers, "PostgreSQL" if args.pg else "SQLite")
    finally:
        server.terminate()
        server.wait(10)


def probe(base: str, token: str, workers: int, db: str):
    print(f"probe against {base} ({workers} gunicorn workers, {db})")
    netloc = urllib.parse.urlsplit(base).netloc

    # 1. redirects
    targets = off_site_targets()
    sent = off = errors = 0
    b = Browser(base)
    for t in targets:
        status, headers, _ = b.request("POST", "/lingua/en", {"next": t, "csrf_token": b.token("/")})
        sent += 1
        errors += status >= 500
        if "Location" in headers and browser_target(base, headers["Location"]) != netloc:
            off += 1
            print("  off site (language):", repr(t), "->", headers["Location"])
    admin_login_redirects = 0
    for t in targets[:40]:  # logins count against the throttle: a sample, each in a fresh browser
        lb = Browser(base, "192.0.2.2")
        status, headers, _ = lb.login(ADMIN, PASSWORD, t)
        sent += 1
        errors += status >= 500
        admin_login_redirects += status == 302
        if "Location" in headers and browser_target(base, headers["Location"]) != netloc:
            off += 1
            print("  off site (login):", repr(t), "->", headers["Location"])
        lb.logout()
    print(f"redirects: {sent} off-site next targets sent ({len(targets)} to the language switch, 40 to the login),"
          f" {off} redirected off the site, {errors} 5xx")

    # 2. integers beyond range
    admin = Browser(base, "192.0.2.3")
    admin.login(ADMIN, PASSWORD)
    api = {"Authorization": f"Bearer {token}"}
    five = n = 0
    statuses = {}
    for method, path in int_paths():
        headers = api if path.startswith("/api/") else {}
        if path.startswith("/api/"):
            status = admin.request(method, path, None if method == "GET" else {}, headers)[0]
        else:
            status = admin.request(method, path, None if method == "GET" else {"csrf_token": admin.token("/")})[0]
        n += 1
        five += status >= 500
        statuses[status] = statuses.get(status, 0) + 1
    for q in ["offset=99999999999999999999", "limit=18446744073709551617", "offset=2147483648", "offset=-0",
              "limit=1e3", "offset=0x10", "offset=%EF%BC%91", "offset=1%00"]:
        status = admin.request("GET", f"/api/v1/procedures?{q}", None, api)[0]
        n += 1
        five += status >= 500
        statuses[status] = statuses.get(status, 0) + 1
    print(f"integers beyond range: {n} requests as an admin, {five} 5xx, statuses {dict(sorted(statuses.items()))}")

    # 3. sessions
    victim = Browser(base)
    victim.login("ente1@terzosettore.example", PASSWORD)
    copy = victim.cookie()
    victim.logout()
    thief = Browser(base)
    thief.set_cookie(copy)
    after_logout = thief.logged_in()
    desk, phone = Browser(base), Browser(base)
    desk.login("ente2@terzosettore.example", PASSWORD)
    phone.login("ente2@terzosettore.example", PASSWORD)
    status, _, _ = desk.request("POST", "/profilo/password", {
        "current_password": PASSWORD, "new_password": "una-nuova-password-1", "confirm": "una-nuova-password-1",
        "csrf_token": desk.token("/profilo/password")})
    print(f"sessions: copied cookie alive after logout: {after_logout}; after a password change "
          f"(status {status}): the changing session alive {desk.logged_in()}, the other one alive {phone.logged_in()}")

    # 4. guessing, a new connection each time (spread over the workers)
    results = []
    for i in range(30):
        results.append(Browser(base, "198.51.100.1").login("ente3@terzosettore.example", f"sbagliata-{i:04d}")[0])
    right = Browser(base, "198.51.100.1").login("ente3@terzosettore.example", PASSWORD)[0]
    elsewhere = Browser(base, "198.51.100.99").login("ente3@terzosettore.example", PASSWORD)[0]
    checked = results.count(422)
    print(f"guessing one account: 30 wrong passwords -> {checked} checked, {results.count(429)} refused with 429;"
          f" then the right password -> {right} (from another address too: {elsewhere})")
    spread = [Browser(base, "198.51.100.2").login(f"nessuno{i}@example.org", "x")[0] for i in range(40)]
    print(f"guessing from one address over 40 accounts: {spread.count(422)} checked, {spread.count(429)} refused"
          f" with 429")


if __name__ == "__main__":
    main()
