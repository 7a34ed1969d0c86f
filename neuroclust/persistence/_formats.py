"""What changed between the model formats, and how an older file is read in today's terms.

Format 1 is a model without nested estimators, format 2 adds them, format 3 stores each array
once (a view is left out and made again on load), and every ``history_`` is a dict of lists.
``save`` always writes format 3. Files written before format 3 existed
also kept some parameters and ``history_`` under former names and forms; what such a file
holds differently is translated here, from tables each estimator class declares, before its
parameters and attributes are checked:

``_view_attributes``, e.g. ``{"weights_": "cluster_centers_"}`` on the SOM
    Fitted attributes that are views of another one (the SOM's grid-shaped ``weights_`` of its
    ``cluster_centers_``, a growing neural gas's ``nodes_`` of its ``cluster_centers_``).
    ``save`` writes the viewed array only; the class's ``_check_fitted_state`` makes the view
    again. An older file holds both; the class checks that they agree.
``_renamed_params``, e.g. ``{"lambda_": "insert_every"}``
    A parameter's old name and its new one: an older file's value goes to the new name, once
    the class takes it (and no longer the old one).
``_history_keys``, e.g. ``("inertia",)``
    The keys of ``history_`` when it is a dict of lists; an older file's ``history_`` that is
    a plain list becomes the first key's list (the others start empty).
``_history_moved``, e.g. ``{"best_epoch": "best_epoch_"}``
    An entry an older file kept inside ``history_`` that is now an attribute of its own; moved
    there once the class declares that attribute in ``_fitted_attributes``.
"""
import numpy as np

__all__ = ["FORMAT_VERSION", "READABLE_VERSIONS", "is_view", "upgrade"]

FORMAT_VERSION = 3  # the newest: 3 stores each array once; 2 added nested estimators to 1
READABLE_VERSIONS = (1, 2, 3)


def is_view(estimator, name, value, attributes):
    """Whether ``save`` may leave out the attribute ``name`` (its ``value``): the class
    declares it a view of another attribute, which holds the same numbers."""
    base = getattr(type(estimator), "_view_attributes", {}).get(name)
    base = attributes.get(base) if base is not None else None
    return (isinstance(base, np.ndarray) and isinstance(value, np.ndarray)
            and value.dtype == base.dtype and value.size == base.size
            and (np.shares_memory(value, base) or np.array_equal(value.ravel(), base.ravel())))


def upgrade(cls, description, version):
    """``description`` (of one estimator of class ``cls``, from a file in format
    ``version``) with the parameters and attributes an older format held differently put
    in today's form; a file in the current format is returned as it is. Nested estimators
    are upgraded when they are rebuilt."""
    if version >= FORMAT_VERSION:
        return description
    description = dict(description)
    accepted = set(cls._param_names())
    renamed = {old: new for old, new in getattr(cls, "_renamed_params", {}).items()
               if old not in accepted and new in accepted}
    if renamed:
        params = description["params"]
        if not any(new in params for new in renamed.values()):
            description["params"] = {renamed.get(name, name): value
                                     for name, value in params.items()}
            for kind in ("array_params", "tuple_params"):
                if kind in description:
                    description[kind] = [renamed.get(name, name) for name in description[kind]]
            if "estimator_params" in description:
                description["estimator_params"] = {
                    renamed.get(name, name): inner
                    for name, inner in description["estimator_params"].items()}
    if "attributes" in description:
        description["attributes"] = _upgrade_history(cls, description["attributes"])
    return description


def _upgrade_history(cls, attributes):
    """``attributes`` with ``history_`` in the form the class declares (see the module)."""
    history = attributes.get("history_")
    keys = getattr(cls, "_history_keys", ())
    if isinstance(history, list) and keys:
        history = {key: (history if i == 0 else []) for i, key in enumerate(keys)}
    moved = {key: name for key, name in getattr(cls, "_history_moved", {}).items()
             if name in getattr(cls, "_fitted_attributes", ())}
    attributes = dict(attributes)
    if isinstance(history, dict) and moved:
        history = dict(history)
        for key, name in moved.items():
            if key in history and name not in attributes:
                attributes[name] = history.pop(key)
    if history is not None:
        attributes["history_"] = history
    return attributes
