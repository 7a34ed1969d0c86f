"""``python -m neuroclust``: the command line (see :mod:`neuroclust.cli`)."""
import sys


def _run():
    """Import the command line and run it; Ctrl-C while importing is one line, code 130."""
    try:
        from .cli import main
    except KeyboardInterrupt:
        sys.stderr.write("neuroclust: error: interrupted by Ctrl-C.\n")
        return 130
    return main()


sys.exit(_run())
