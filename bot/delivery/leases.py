"""Who holds a lease, and freeing the leases of a process that died on this host.

A lease owner is ``host:pid:token``. On start, ``c5watch run`` frees leases whose owner ran on
this host and is no longer alive, so what a killed process was doing is taken up at once
instead of when its leases expire. Leases of live or remote processes are left to expire.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable


def new_owner() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(4)}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dead_here(owner: str, *, alive: Callable[[int], bool] = _pid_alive) -> bool:
    """True if ``owner`` ran on this host and its process is gone."""
    host, _, rest = owner.partition(":")
    pid, _, _ = rest.partition(":")
    if host != socket.gethostname()[:30] or not pid.isdigit():
        return False
    return int(pid) != os.getpid() and not alive(int(pid))
