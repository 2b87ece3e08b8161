"""A real IMAP server for the tests: Debian's Dovecot, unprivileged, in a temporary folder.

Fixtures:
- `dovecot` (session): one running Dovecot (`DovecotServer`) for the whole test session (each
  xdist worker starts its own). Plain IMAP on a free 127.0.0.1 port, no TLS, users in a
  passwd-file, mail in Maildir folders under the temporary folder, log in `server.log_path`.
- `imap_account` (function): a new user on that server with an empty INBOX (`ImapAccount`:
  `.name`, `.password`, `.host`, `.port`), so that no test sees another's mail.

`DovecotServer`:
    host, port, log_path                  where to connect; the server's own log
    add_user(name, password)              -> ImapAccount (a new, empty mailbox)
    append(user, raw, folder="INBOX")     put one mail in, as a mail server would; returns its UID
    append_many(user, raws, folder)       many at once (MULTIAPPEND), for mailboxes of thousands
    create_folder(user, folder)           a folder besides INBOX
    delete(user, uids, folder="INBOX")    remove mails for good (EXPUNGE)
    messages(user, folder="INBOX")        the raw mails there, in UID order (read without \\Seen)
    flags(user, folder="INBOX")           {uid: flags}
    uidvalidity(user, folder="INBOX")
    renumber(user, folder="INBOX")        forget the folder's UIDs, as an index rebuild does: the
                                          mails stay, UIDVALIDITY changes and UIDs start at 1
                                          again; returns the new UIDVALIDITY
    kick(user)                            drop every connection of that user (a lost connection)
    stop() / start() / restart()          the whole server; the port and the mail stay

Missing Dovecot skips the tests that use it, or fails them under CI=true (`require_service`).
As root (CI), the login processes run as `dovenull` (or `nobody`) and mail is stored as
`nobody`: Dovecot refuses to run either as root.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from imapclient import IMAPClient

from tests.conftest import require_service

DOVECOT = "/usr/sbin/dovecot"
DOVEADM = shutil.which("doveadm") or "/usr/bin/doveadm"
START_TIMEOUT = 15.0


@dataclass(frozen=True, slots=True)
class ImapAccount:
    """One user's mailbox on the test server, and what a client needs to log in."""

    name: str
    password: str
    host: str
    port: int

    def mailbox_setting(self, name: str = "", **extra: object) -> dict[str, object]:
        """An entry of MADOGUCHI_MAILBOXES that reads this account."""
        return {
            "name": name or self.name,
            "host": self.host,
            "port": self.port,
            "ssl": False,
            "username": self.name,
            "password": self.password,
            **extra,
        }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _user_id(name: str) -> tuple[int, int] | None:
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


class DovecotServer:
    """One Dovecot master process with its own config, users and mail under `root`."""

    host = "127.0.0.1"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = _free_port()
        self.log_path = root / "dovecot.log"
        self.config_path = root / "dovecot.conf"
        self.users_path = root / "users"
        self.mail_root = root / "mail"
        self._passwords: dict[str, str] = {}
        if os.getuid() == 0:
            login = "dovenull" if _user_id("dovenull") else "nobody"
            self.login_user, self.internal_user = login, "root"
            self.mail_uid, self.mail_gid = _user_id("nobody") or (65534, 65534)
        else:
            me = pwd.getpwuid(os.getuid()).pw_name
            self.login_user = self.internal_user = me
            self.mail_uid, self.mail_gid = os.getuid(), os.getgid()
        for folder in (self.mail_root, root / "home"):
            folder.mkdir()
            os.chown(folder, self.mail_uid, self.mail_gid)
        self.users_path.mkdir()
        self.config_path.write_text(self._config())

    def _config(self) -> str:
        internal_group = grp.getgrgid(os.getgid()).gr_name
        return f"""\
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.log_path}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {self.login_user}
default_internal_user = {self.internal_user}
default_internal_group = {internal_group}
login_trusted_networks = 127.0.0.0/8
first_valid_uid = {min(self.mail_uid, 500)}
first_valid_gid = 0
mail_location = maildir:{self.mail_root}/%u
imap_idle_notify_interval = 2 secs
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.users_path}/%u
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {self.users_path}/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""

    # --- the server -------------------------------------------------------------------------

    def _pid(self) -> int | None:
        try:
            return int((self.root / "run" / "master.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def _alive(self, pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    def start(self) -> None:
        subprocess.run([DOVECOT, "-c", str(self.config_path)], check=True)  # noqa: S603
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            # Ready once the login process greets: the master listens before it is spawned.
            with (
                contextlib.suppress(OSError),
                socket.create_connection((self.host, self.port), timeout=2) as sock,
            ):
                if sock.recv(100).startswith(b"* OK"):
                    return
            time.sleep(0.05)
        raise RuntimeError(f"Dovecot did not start; see {self.log_path}")

    def stop(self) -> None:
        pid = self._pid()
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + START_TIMEOUT
        while self._alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)

    def restart(self) -> None:
        self.stop()
        self.start()

    # --- users and mail ---------------------------------------------------------------------

    def add_user(self, name: str, password: str) -> ImapAccount:
        home = self.root / "home" / name
        line = f"{name}:{{PLAIN}}{password}:{self.mail_uid}:{self.mail_gid}::{home}::\n"
        # A passwd-file a user: Dovecot looks at a changed file at most once a second, so a
        # user added to a shared one right after another's login would go unseen.
        (self.users_path / name).write_text(line)
        self._passwords[name] = password
        return ImapAccount(name=name, password=password, host=self.host, port=self.port)

    @contextlib.contextmanager
    def client(self, user: str) -> Iterator[IMAPClient]:
        """A logged-in IMAP connection as `user`."""
        with IMAPClient(self.host, self.port, ssl=False, timeout=30) as client:
            client.login(user, self._passwords[user])
            yield client

    def create_folder(self, user: str, folder: str) -> None:
        with self.client(user) as client:
            client.create_folder(folder)

    def append(self, user: str, raw: bytes, folder: str = "INBOX") -> int:
        """Put `raw` in the folder unread; returns its UID (UIDPLUS)."""
        with self.client(user) as client:
            answer = client.append(folder, raw)
        # b"[APPENDUID <uidvalidity> <uid>] Append completed."
        return int(answer.split(b"]")[0].split()[-1])

    def append_many(self, user: str, raws: Iterable[bytes], folder: str = "INBOX") -> None:
        batch: list[bytes] = []
        with self.client(user) as client:
            for raw in raws:
                batch.append(raw)
                if len(batch) == 500:
                    client.multiappend(folder, batch)
                    batch = []
            if batch:
                client.multiappend(folder, batch)

    def delete(self, user: str, uids: Iterable[int], folder: str = "INBOX") -> None:
        """Remove mails for good (\\Deleted and EXPUNGE), as a person tidying up would."""
        with self.client(user) as client:
            client.select_folder(folder)
            client.delete_messages(list(uids))
            client.expunge()

    def messages(self, user: str, folder: str = "INBOX") -> list[bytes]:
        with self.client(user) as client:
            client.select_folder(folder, readonly=True)
            uids = client.search()
            fetched = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
        return [fetched[uid][b"BODY[]"] for uid in sorted(fetched)]

    def flags(self, user: str, folder: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
        with self.client(user) as client:
            client.select_folder(folder, readonly=True)
            uids = client.search()
            return dict(client.get_flags(uids)) if uids else {}

    def uidvalidity(self, user: str, folder: str = "INBOX") -> int:
        with self.client(user) as client:
            return int(client.folder_status(folder, ["UIDVALIDITY"])[b"UIDVALIDITY"])

    def _maildir(self, user: str, folder: str) -> Path:
        base = self.mail_root / user
        return base if folder.upper() == "INBOX" else base / f".{folder}"

    def renumber(self, user: str, folder: str = "INBOX") -> int:
        """Forget the folder's UIDs while keeping its mail, as `doveadm force-resync` after lost
        index files does; every UID changes meaning, so Dovecot gives a new UIDVALIDITY."""
        before = self.uidvalidity(user, folder)
        self.kick(user)
        maildir = self._maildir(user, folder)
        for path in maildir.iterdir():
            if path.name == "dovecot-uidlist" or path.name.startswith("dovecot.index"):
                path.unlink()
        after = self.uidvalidity(user, folder)
        assert after != before, "Dovecot kept the UIDVALIDITY"
        return after

    def kick(self, user: str) -> None:
        """Drop every open connection of `user`, as a server or network failure would."""
        subprocess.run(  # noqa: S603
            [DOVEADM, "-c", str(self.config_path), "kick", user],
            check=False,
            capture_output=True,
        )


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """The test session's Dovecot (see the module docstring for what it offers)."""
    require_service(f"Debian's Dovecot ({DOVECOT})", os.path.exists(DOVECOT))
    # Not pytest's tmp_path: its folders are 0700, and the unprivileged login and mail
    # processes must reach theirs.
    root = Path(tempfile.mkdtemp(prefix="madoguchi-dovecot-"))
    root.chmod(0o755)
    server = DovecotServer(root)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def imap_account(dovecot: DovecotServer) -> ImapAccount:
    """A new user with an empty INBOX on the session's Dovecot."""
    return dovecot.add_user(f"u{secrets.token_hex(6)}", secrets.token_urlsafe(12))
