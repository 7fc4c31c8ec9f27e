"""The ``slabuilder`` command line.

Each command lives in its own module ``slabuilder/cli/cmd_<name>.py`` exposing a click command
called ``command``; the group below finds them without importing them, so ``slabuilder new``
does not pay for WeasyPrint and ``slabuilder --help`` stays fast.  This module owns the one
place where errors become messages and exit codes: 0 success, 2 bad input, 1 internal failure,
130 interrupted.
"""

from __future__ import annotations

import errno
import sys
from collections.abc import Sequence
from importlib import import_module
from pathlib import Path

import click

from slabuilder.errors import SlabuilderError
from slabuilder.interrupts import is_interrupt, sigterm_as_interrupt
from slabuilder.terminal import quiet_stdout
from slabuilder.textclean import printable
from slabuilder.version import __version__

_COMMAND_DIR = Path(__file__).resolve().parent
_FULL = (errno.ENOSPC, errno.EIO, errno.EDQUOT)


class _LazyGroup(click.Group):
    """A group whose subcommands are the ``cmd_*.py`` modules beside this file."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(path.stem.removeprefix("cmd_").replace("_", "-")
                      for path in _COMMAND_DIR.glob("cmd_*.py"))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.list_commands(ctx):
            return None
        module = import_module(f"slabuilder.cli.cmd_{cmd_name.replace('-', '_')}")
        command: click.Command = module.command
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"],
                                               "max_content_width": 100})
@click.version_option(__version__, prog_name="slabuilder")
def cli() -> None:
    """Write the service level agreement between marketing and sales, and keep it alive.

    \b
    Start here:
      slabuilder example -o acme.yaml     # a complete answers file to copy and edit
      slabuilder new -o acme/             # answer the questions in the terminal
      slabuilder plan acme.yaml           # MQL targets, scoring model and terms
      slabuilder render acme.yaml -o out  # the agreement, brief and summary as PDF
    """


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code instead of raising it."""
    if sys.stdout is None:  # started with its output closed (`slabuilder plan >&-`)
        _say_error("standard output is closed, so nothing can be printed; run the command "
                   "with its output going to a terminal, a file or a pipe")
        return 2
    with sigterm_as_interrupt():  # outputs being written are taken back, workers end
        try:
            # Without standalone mode, click hands back a command's own exit code (Exit(N)).
            code = cli.main(args=list(argv) if argv is not None else None,
                            prog_name="slabuilder", standalone_mode=False)
            sys.stdout.flush()  # a full disk or a closed pipe is reported here, not at exit
        except SlabuilderError as error:
            _say_error(str(error))
            return error.exit_code
        except (click.exceptions.Abort, KeyboardInterrupt):
            _say_error("stopped; nothing was written")
            return 130
        except click.exceptions.NoArgsIsHelpError as error:  # `slabuilder` alone
            click.echo(error.ctx.get_help())
            return 0
        except click.ClickException as error:
            _say_error(_click_message(error))
            return 2
        except click.exceptions.Exit as done:
            return int(done.exit_code)
        except OSError as error:  # `plan | head`, `plan > /dev/full`: nowhere to print
            if not isinstance(error, BrokenPipeError) and error.errno not in _FULL:
                return _unexpected(error)
            quiet_stdout()
            if isinstance(error, BrokenPipeError):
                return 0
            _say_error(f"cannot write the output: {error.strerror}; nothing more was written")
            return 2
        except Exception as error:
            if is_interrupt(error):  # Ctrl-C or SIGTERM that landed inside a DuckDB query
                _say_error("stopped; nothing was written")
                return 130
            return _unexpected(error)
    return code if isinstance(code, int) else 0


def _unexpected(error: Exception) -> int:
    _say_error(f"slabuilder failed unexpectedly ({type(error).__name__}: {error}). "
               "This is a bug; please report it with the command you ran.")
    if "--debug" in sys.argv:
        raise error
    return 1


def _click_message(error: click.ClickException) -> str:
    ctx = error.ctx if isinstance(error, click.UsageError) else None
    return error.format_message() + (f" (see `{ctx.command_path} --help`)" if ctx else "")


def _say_error(message: str) -> None:
    line = " ".join(printable(message).split())
    click.echo(f"slabuilder: {line}", err=True)
