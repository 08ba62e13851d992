"""What a claim rests on: the rows behind it, which of them are made up, and how the statuses of the
others are known.

A sentence of a document (a verdict, a count, a projection) rests on rows of the data. Where those
rows are not all ``stated``, the sentence says so; where they are *all* made up, the claim is not a
claim about the real programme and is no key point (:attr:`Footing.only_made_up`: the one place of
that rule). Pure functions on the loader's tables: no words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

#: How a status is known, weakest last: an item known two ways (two report years) counts as its weakest.
_STRENGTH = ("stated", "inferred", "illustrative")


@dataclass(frozen=True)
class Footing:
    """The items a claim rests on (``ids``, in order), the made-up ones, and the others whose status is
    not ``stated`` by basis (``inferred``, ``illustrative`` -> ids)."""

    ids: tuple[str, ...] = ()
    made_up: tuple[str, ...] = ()
    unofficial: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def only_made_up(self) -> bool:
        """Every row the claim rests on is made up: without them the claim is not there. Such a claim
        is no key point; where it is said, it is said with this footing."""
        return bool(self.ids) and len(self.made_up) == len(self.ids)

    @property
    def official(self) -> bool:
        """Every row stated and none made up: nothing to say about the footing."""
        return not self.made_up and not any(self.unofficial.values())

    @property
    def n_unofficial(self) -> int:
        return sum(len(ids) for ids in self.unofficial.values())

    def __or__(self, other: Footing) -> Footing:
        """Two claims' footing together (a sentence of several parts)."""
        ids = tuple(dict.fromkeys(self.ids + other.ids))
        made_up = tuple(i for i in ids if i in set(self.made_up) | set(other.made_up))
        weakest: dict[str, str] = {}
        for basis in _STRENGTH:
            for i in self.unofficial.get(basis, ()) + other.unofficial.get(basis, ()):
                weakest[i] = basis
        unofficial = {
            basis: tuple(i for i in ids if weakest.get(i) == basis and i not in made_up)
            for basis in _STRENGTH[1:]
            if any(weakest.get(i) == basis and i not in made_up for i in ids)
        }
        return Footing(ids, made_up, unofficial)


def footing(rows: pd.DataFrame, id_column: str = "activity_id") -> Footing:
    """The footing of a claim that rests on ``rows`` (activities or motions, one or more report years:
    an item in two years is made up if either row is, and otherwise known as its weakest status)."""
    if rows is None or rows.empty:
        return Footing()
    ids = rows[id_column].astype(str)
    made = (rows["origin"].astype(str) == "made_up").groupby(ids, sort=False).any()
    strength = rows["status_basis"].astype(str).map({b: i for i, b in enumerate(_STRENGTH)}).fillna(0)
    weakest = strength.groupby(ids, sort=False).max().map(dict(enumerate(_STRENGTH)))
    order = list(dict.fromkeys(ids))
    made_up = tuple(i for i in order if made[i])
    unofficial = {
        basis: tuple(i for i in order if not made[i] and weakest[i] == basis)
        for basis in _STRENGTH[1:]
        if ((weakest == basis) & ~made).any()
    }
    return Footing(tuple(order), made_up, unofficial)


def without_made_up(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows that are part of the real programme (what a claim says once the made-up rows are gone)."""
    return rows[rows["origin"].astype(str) != "made_up"]
