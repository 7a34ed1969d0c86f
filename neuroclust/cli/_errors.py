"""How the ``neuroclust`` command fails: one line on stderr, exit codes, a closed stdout.

Every failure is printed as one line on stderr, ``neuroclust: error: <sentence>``, with exit
code 2, never as a traceback; set ``NEUROCLUST_DEBUG=1`` to see the traceback instead. Ctrl-C
exits with code 130; a closed stdout (``neuroclust ... | head``) exits quietly with code 141.
``neuroclust/cli/__init__.py`` (``main``) uses these helpers, and every command prints
through :func:`_say` and :func:`_print_stderr`.
"""
import os
import sys

#: Set this environment variable to see the traceback of an error instead of one line.
DEBUG_VARIABLE = "NEUROCLUST_DEBUG"

#: The longest error message printed, in characters (a message can quote a huge csv cell).
MAX_MESSAGE = 1000

#: Exit codes: a user error, Ctrl-C (128 + SIGINT) and a closed stdout (128 + SIGPIPE).
EXIT_ERROR, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 2, 130, 141


class UsageError(ValueError):
    """A mistake in the command line."""


def _debugging():
    return os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")


def _sentence(error):
    """The one-line message of an exception that ended the command."""
    try:
        text = str(error)
    except Exception:  # noqa: BLE001 - an exception whose message itself fails
        text = ""
    if isinstance(error, MemoryError):
        return f"not enough memory: {text or 'a request larger than this machine can hold'}"
    if isinstance(error, OSError):
        return _os_error(error)
    if isinstance(error, ValueError) and text:
        return text
    detail = f": {text}" if text else ""
    return (f"unexpected {type(error).__name__}{detail} (probably a bug in neuroclust; "
            f"run again with {DEBUG_VARIABLE}=1 to see the traceback, and report it).")


def _os_error(error):
    """``[Errno 2] No such file or directory: 'x'`` as ``'x': no such file or directory``."""
    if not error.strerror:
        return str(error)
    reason = error.strerror[0].lower() + error.strerror[1:]
    if error.filename is None:
        return f"{reason}."
    return f"{os.fsdecode(error.filename)!r}: {reason}."


def _detail(error):
    return f": {error}" if str(error) else ""


def _one_line(text):
    """``text`` on one line and at most MAX_MESSAGE characters long."""
    text = " ".join(str(text).splitlines())
    if len(text) > MAX_MESSAGE:
        text = text[:MAX_MESSAGE - 5] + " ..."
    return text


def _error(message):
    _print_stderr(f"neuroclust: error: {message}")


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """A warning as one line (no file name, no source line), e.g. Ctrl-C kept the model."""
    _print_stderr(f"neuroclust: warning: {message}")


def _print_stderr(text):
    try:
        print(_one_line(text), file=sys.stderr, flush=True)
    except (OSError, ValueError):  # stderr closed too: nowhere left to say it
        pass


#: Whether stdout was found closed (a reader such as ``head`` that stopped reading).
_STDOUT = {"closed": False}


def _say(text=""):
    """Print to stdout; a closed stdout stops the printing, not the work (the model is saved)."""
    try:
        print(text)
    except BrokenPipeError:
        _silence_stdout()


def _silence_stdout():
    """Send what is left to print, and Python's flush at exit, to the null device."""
    _STDOUT["closed"] = True
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no file descriptor (tests capture stdout)
        sys.stdout = os.fdopen(devnull, "w")
        return
    os.close(devnull)
