"""``python -m slabuilder``, and the ``slabuilder`` command's entry point.

Ctrl-C or SIGTERM can land while the command line is still being imported, before it can
turn them into its one-line message; :func:`run` catches that moment too.
"""

import os
import signal
import sys


def run() -> None:
    try:
        from slabuilder.cli import main
    except KeyboardInterrupt:
        code = 130
        sys.stderr.write("slabuilder: stopped; nothing was written\n")
    else:
        code = main()
    if code == 130:
        # Stopped, cleaned up and said so.  Under ``python -m``, CPython remembers an
        # interrupt that landed in code run from a string (a dataclass's generated method,
        # say) and would end the process by the signal at exit (status -2), so leave now.
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
        os._exit(130)
    # The work is done and reported: a Ctrl-C or SIGTERM that lands while Python shuts down
    # must not turn a finished run into one killed by the signal.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    sys.exit(code)


if __name__ == "__main__":
    run()
