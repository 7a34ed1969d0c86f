"""The ``neuroclust`` command: ``demo``, ``fit``, ``predict`` and ``info``.

Every failure is printed as one line on stderr, ``neuroclust: error: <sentence>``, with exit
code 2, never as a traceback: a bad option, a bad file, a request too large for memory, and
also an unexpected exception (a bug), which names its type; set the environment variable
``NEUROCLUST_DEBUG=1`` to see the traceback instead. Ctrl-C exits with code 130 (after saving
the model trained so far, when the model kept one); a closed stdout (``neuroclust ... | head``)
exits quietly with code 141, as Unix tools do. Options and output paths are checked before any
data is loaded or any model trained, and named as options (``--random-state``, not
``random_state``). A .csv DATA whose first line is read as column names says so in one line on
stderr, ``neuroclust: note: ...``; when no cell of that line begins like a number it is names,
else data, whose every cell must be a number (see DATA_HELP).

The command is one package: ``__init__.py`` (``main``: exit codes and the one-line errors),
``_parser.py`` (the options and their checks), ``_errors.py`` (messages, Ctrl-C, a closed
stdout), ``_data.py`` (DATA and the output files), ``_demo.py``, ``_fit.py`` (training; its
figures are :func:`neuroclust.plotting.standard_figures`) and ``_predict.py`` (``predict``
and ``info``).
"""
import sys
import warnings

from ._demo import run_demo
from ._errors import (_STDOUT, EXIT_BROKEN_PIPE, EXIT_ERROR, EXIT_INTERRUPTED, UsageError,
                      _debugging, _detail, _error, _sentence, _show_warning, _silence_stdout)
from ._fit import run_fit
from ._parser import build_parser
from ._predict import run_info, run_predict
# The command's constants and its data reader, importable from here as before the split.
from ._data import load_data  # noqa: F401, E402
from ._errors import DEBUG_VARIABLE, MAX_MESSAGE  # noqa: F401, E402
from ._parser import (DATA_HELP, DEFAULT_LEARNING_RATES, INT_MAXIMUM,  # noqa: F401, E402
                      INT_MINIMUMS, LEARNING_RATE_MAXIMUMS, MEMORY_OPTIONS, MODEL_OPTIONS,
                      MODELS)

__all__ = ["main"]


# ------------------------------------------------------------------- main
def main(argv=None):
    """Run the command line.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after ``neuroclust``; default: ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit code: 0 done, 2 an error (one line on stderr), 130 interrupted by Ctrl-C,
        141 stdout was closed before everything was written.
    """
    _STDOUT["closed"] = False
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        try:
            code = _run(argv)
            sys.stdout.flush()  # a closed pipe shows here, not at exit
        except BrokenPipeError:
            _silence_stdout()
            return EXIT_BROKEN_PIPE
        except KeyboardInterrupt as error:
            _error(f"interrupted by Ctrl-C{_detail(error)}.")
            return EXIT_INTERRUPTED
        except Exception as error:  # noqa: BLE001 - every failure must be one line
            if _debugging() and not isinstance(error, UsageError):
                raise
            _error(_sentence(error))
            return EXIT_ERROR
    return EXIT_BROKEN_PIPE if _STDOUT["closed"] else code


def _run(argv):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return {"demo": run_demo, "fit": run_fit, "predict": run_predict,
            "info": run_info}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
