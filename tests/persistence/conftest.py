"""The saved model of every kind, fitted once for the tests of ``neuroclust.persistence``."""

import pytest

from persistence_helpers import MODEL_NAMES, make_model


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """{name: (path of the saved model, the model, its data)}, fitted once per module."""
    folder = tmp_path_factory.mktemp("models")
    files = {}
    for name in MODEL_NAMES:
        model, X = make_model(name)
        model.fit(X)
        files[name] = (model.save(folder / name), model, X)
    return files
