"""Shared test set-up: subprocesses must import the installed neuroclust.

Many tests start ``python -c ...`` to watch for crashes. Run from the repository root, such a
process would import the source tree in the current folder (``sys.path[0]`` is the current
folder), which has no compiled kernels unless it was built in place: the crash tests would then
test the NumPy reference instead of the kernels, and pass. So the tests run in a temporary
folder, and ``PYTHONSAFEPATH`` keeps the current folder off ``sys.path`` (Python 3.11+).
"""
import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def _outside_the_source_tree(tmp_path_factory):
    before = os.getcwd()
    os.environ["PYTHONSAFEPATH"] = "1"
    os.chdir(tmp_path_factory.mktemp("cwd"))
    yield
    os.chdir(before)
