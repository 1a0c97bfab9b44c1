"""Rollup cells add up measure by measure."""

from dataclasses import fields

from app.core.traffic import Counts


def test_adding_and_subtracting_cells_covers_every_measure():
    names = [field.name for field in fields(Counts)]
    cell = Counts(**{name: 10 for name in names})
    cell.add(Counts(**{name: position for position, name in enumerate(names, start=1)}))
    assert cell.as_row() == {name: 10 + position for position, name in enumerate(names, 1)}
    cell.subtract(Counts(**{name: 10 for name in names}))
    assert cell.as_row() == {name: position for position, name in enumerate(names, 1)}
