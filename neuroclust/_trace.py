"""Step traces: the first steps of a training run, one presentation at a time, to replay.

``model.trace(X, n_steps)`` (:meth:`neuroclust.CompetitiveLearning.trace`,
:meth:`neuroclust.SOM.trace`, :meth:`neuroclust.GrowingNeuralGas.trace`,
:meth:`neuroclust.FuzzyART.trace`, :meth:`neuroclust.ART1.trace`) trains a fresh copy of the
model with the NumPy reference kernels, one sample at a time, from the start ``fit`` would
take with the same ``random_state`` (the same initial prototypes, the same order of samples,
the same schedule), and records what each step did: which sample came, which unit won, how
far it was, how much the units moved, which nodes a growing neural gas inserted or removed,
which ART categories were reset. The model itself is
not changed. A :class:`StepTrace` holds the records and the prototypes after every step, so
a student can print the table, or step through the states (``trace.prototypes[k]`` is the
state after step ``k``; ``trace.prototypes[0]`` the start) and draw them.
"""

import numpy as np

__all__ = ["StepTrace"]


class StepTrace:
    """What each step of a training run did, and the prototypes after it.

    Attributes
    ----------
    records : list of dict
        One per step, with the keys of ``columns``.
    columns : tuple of str
        The names of the recorded quantities, in the order the table shows them.
    prototypes : list of ndarray
        The prototypes (or ART templates) before the first step, then after each step:
        ``len(prototypes) == len(records) + 1``.
    description : str
        What was traced (the model and its rule).
    """

    def __init__(self, description, columns, records, prototypes):
        self.description = description
        self.columns = tuple(columns)
        self.records = list(records)
        self.prototypes = list(prototypes)

    def __len__(self):
        return len(self.records)

    def __getitem__(self, step):
        return self.records[step]

    def __iter__(self):
        return iter(self.records)

    def column(self, name):
        """The values of one recorded quantity over the steps, as an array."""
        if name not in self.columns:
            raise KeyError(f"the trace records {list(self.columns)}, not {name!r}.")
        return np.array([record[name] for record in self.records])

    def table(self, max_rows=None, start=0):
        """The records as a text table, one line per step: ``max_rows`` of them (all when
        None) from step ``start`` on (a negative ``start`` counts from the end)."""
        first = range(len(self.records))[start] if self.records else 0
        rows = self.records[first:] if max_rows is None else self.records[first:first + max_rows]
        cells = [[_cell(record[name]) for name in self.columns] for record in rows]
        widths = [max([len(name)] + [len(row[k]) for row in cells])
                  for k, name in enumerate(self.columns)]
        lines = [self.description,
                 "  ".join(name.rjust(width) for name, width in zip(self.columns, widths))]
        lines += ["  ".join(cell.rjust(width) for cell, width in zip(row, widths))
                  for row in cells]
        if first:
            lines.insert(2, f"... {first} steps before")
        after = len(self.records) - first - len(rows)
        if after:
            lines.append(f"... {after} more steps")
        return "\n".join(lines)

    def __str__(self):
        return self.table()

    def __repr__(self):
        return f"<StepTrace: {len(self)} steps of {self.description}>"


def _cell(value):
    if isinstance(value, (float, np.floating)):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(map(str, value)) + "]" if value else "-"
    return str(value)
