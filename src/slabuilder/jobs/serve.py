"""``slabuilder serve``: the interview and a live agreement in the browser, on this machine.

The answers file to start from is read (and refused with the usual message) before anything
listens.  The socket is bound here, so a port in use is a one-line message and port 0 means
"any free one"; :func:`slabuilder.web.app.serve_forever` then serves on it until Ctrl-C.
"""

from __future__ import annotations

import socket
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from slabuilder.errors import OutputError, SlabuilderError

if TYPE_CHECKING:
    from slabuilder.web.app import Guard
    from slabuilder.web.workspace import Workspace

__all__ = ["DEFAULT_PORT", "ServeSettings", "build_app", "build_workspace", "run_serve"]

DEFAULT_PORT = 8765
LOCAL = "127.0.0.1"


@dataclass(frozen=True)
class ServeSettings:
    output_dir: Path
    answers_file: Path | None = None
    host: str = LOCAL
    port: int | None = None
    """None: the default port, or any free one when it is taken."""
    open_browser: bool = True


def build_workspace(answers_file: Path | None, output_dir: Path) -> Workspace:
    """A workspace started from ``answers_file`` (as ``new --from``) or from the defaults,
    or, when a stopped workspace left its draft in ``output_dir``, from that draft."""
    from slabuilder.questionnaire import load_questionnaire
    from slabuilder.web.workspace import Workspace
    from slabuilder.yamlio import read_mapping

    if output_dir.exists() and not output_dir.is_dir():
        raise OutputError("is a file, not a folder; give a folder with -o", file=output_dir)
    base = {} if answers_file is None else read_mapping(
        answers_file, "answers file",
        "an answers file (it should start with company:, agreement:, ...)")
    workspace = Workspace(load_questionnaire(), output_dir, base=base,
                          source=answers_file.name if answers_file is not None else None)
    workspace.resume_draft()
    return workspace


def build_app(workspace: Workspace, host: str = LOCAL) -> Guard:
    from slabuilder.web.app import LOCAL_HOSTS, create_app

    hosts = LOCAL_HOSTS | {host.lower() if ":" not in host else f"[{host.lower()}]"}
    if host in ANY_ADDRESS:
        hosts |= own_addresses()
    return create_app(workspace, hosts=frozenset(hosts), keyed=not is_loopback(host))


def is_loopback(host: str) -> bool:
    """Only this machine can reach ``host``."""
    import ipaddress

    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host.lower() == "localhost"


ANY_ADDRESS = ("0.0.0.0", "::")  # noqa: S104 - the addresses that mean "every interface"


def own_addresses() -> set[str]:
    """The names and addresses other machines reach this one by, as a Host header writes
    them: listening on every interface, the workspace answers to these and to no other."""
    name = socket.gethostname()
    found = {name.lower(), socket.getfqdn().lower()}
    try:
        for *_, address in socket.getaddrinfo(name, None):
            found.add(str(address[0]).lower())
    except OSError:
        pass
    for family, probe in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        # The address a packet to elsewhere would leave from (nothing is sent).
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as udp:
                udp.connect((probe, 9))
                found.add(str(udp.getsockname()[0]).lower())
        except OSError:
            continue
    return {f"[{item}]" if ":" in item else item for item in found if item}


def run_serve(settings: ServeSettings, *, say: Callable[[str], None] = print) -> None:
    """Serve the workspace until Ctrl-C; ``say`` gets the address and any warning."""
    from slabuilder.web.app import serve_forever

    workspace = build_workspace(settings.answers_file, settings.output_dir)
    listener = _listen(settings.host, settings.port)
    port = listener.getsockname()[1]
    shown_host = f"[{settings.host}]" if ":" in settings.host else settings.host
    if settings.host in ANY_ADDRESS:
        # "0.0.0.0" is no address to visit: the one other machines reach this one by.
        reachable = sorted(a for a in own_addresses() if not is_loopback(a) and "." in a)
        shown_host = reachable[0] if reachable else socket.gethostname()
    url = f"http://{shown_host}:{port}/"
    if not is_loopback(settings.host):
        # Other machines can reach it: the pages open only with this key.
        url += f"?key={workspace.token}"
    if settings.host != LOCAL:
        say(f"Warning: listening on {settings.host}: anyone who can reach this machine on port "
            f"{port} can read and change these answers.")
    if workspace.resumed:
        say(workspace.resumed)
    say(f"The slabuilder workspace is at {url} (Ctrl-C stops it). Answers are saved into "
        f"{settings.output_dir.resolve()}.")
    started = threading.Event()
    if settings.open_browser:
        threading.Thread(target=_open_when_ready, args=(started, url), daemon=True).start()
    try:
        serve_forever(build_app(workspace, settings.host), listener, started)
    except KeyboardInterrupt:
        # The server has shut down and raises Ctrl-C again: for serve it is how one stops,
        # and the command says so with the exit code of an interrupted command.
        say("Stopped.")
        raise StoppedServing from None
    finally:
        listener.close()


class StoppedServing(Exception):  # noqa: N818 - a way to stop, not an error
    """Ctrl-C stopped the workspace (exit 130, with no error message)."""


def _listen(host: str, port: int | None) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    for candidate in ([DEFAULT_PORT, 0] if port is None else [port]):
        try:
            listener.bind((host, candidate))
            break
        except OSError as error:
            if candidate == DEFAULT_PORT and port is None:
                continue
            listener.close()
            raise SlabuilderError(f"cannot listen on {host} port {candidate} "
                                  f"({error.strerror}); choose another with --port",
                                  key="--port") from None
    listener.listen(64)
    listener.set_inheritable(True)
    return listener


def _open_when_ready(started: threading.Event, url: str) -> None:
    if started.wait(timeout=10):
        webbrowser.open(url)
