"""What changed in one report year between two versions of the data: the draft and the final.

Between the draft the bewindspersonen saw (December) and the final annex (March) the rows of the
same report year change: a status, an explanation, a title; activities are added or withdrawn.
:func:`item_changes` lists each change as one tidy row (the item, the field, the old and the new
value), :func:`status_counts_before_after` the counts per status in both versions. Pure functions
on the loader's tables: no words; the overview and the Word files word them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Per table: its id column and the fields an annex shows, in the order a change is listed.
FIELDS = {
    "activities": ("activity_id", ("actielijn", "title", "owner", "status", "status_basis", "explanation")),
    "motions": ("item_id", ("kind", "title", "member", "party", "status", "status_basis", "explanation")),
}
#: The columns of :func:`item_changes`, in order.
CHANGE_COLUMNS = (
    "table",
    "item_id",
    "actielijn",
    "title",
    "change",
    "field",
    "old",
    "new",
    "changed_by",
    "change_reason",
)
#: The kinds of change: a row added, a row removed, a status changed, another field changed.
CHANGES = ("added", "removed", "status", "text")


def _as_text(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """The compared fields as plain text, empty where missing: '' and a missing cell are the same."""
    return frame[list(columns)].astype("string").fillna("").astype(object)


def _year_rows(frame: pd.DataFrame | None, year: int, id_column: str) -> pd.DataFrame:
    if frame is None:
        return pd.DataFrame(columns=[id_column])
    rows = frame[frame["report_year"] == year]
    return rows.set_index(rows[id_column].astype(str))


def item_changes(old: pd.DataFrame | None, new: pd.DataFrame | None, year: int, table: str) -> pd.DataFrame:
    """Every change of ``table`` ('activities' or 'motions') in report year ``year`` from ``old`` to
    ``new``: one row per added or removed item, and one per changed field of an item in both.

    ``changed_by`` and ``change_reason`` come from the new data (the old ones for a removed item),
    where the data have them. Order: the items in the order of the new data, then the removed ones.
    """
    id_column, fields = FIELDS[table]
    before, after = _year_rows(old, year, id_column), _year_rows(new, year, id_column)
    present = [f for f in fields if f in before.columns or f in after.columns]
    old_text = _as_text(before.reindex(columns=present), present)
    new_text = _as_text(after.reindex(columns=present), present)
    notes = ["changed_by", "change_reason"]
    old_notes = _as_text(before.reindex(columns=notes), notes)
    new_notes = _as_text(after.reindex(columns=notes), notes)
    added = after.index[~after.index.isin(before.index)]
    removed = before.index[~before.index.isin(after.index)]
    both = after.index[after.index.isin(before.index)]
    order = after.index.append(removed)

    def whole(ids: pd.Index, kind: str, source: pd.DataFrame, source_notes: pd.DataFrame) -> pd.DataFrame:
        """An added or removed item: one row, its status on the side it is on."""
        rows, notes = source.loc[ids], source_notes.loc[ids]
        status, empty = rows["status"].to_numpy(), [""] * len(ids)
        return pd.DataFrame(
            {
                "item_id": list(ids),
                "change": kind,
                "field": "",
                "old": status if kind == "removed" else empty,
                "new": status if kind == "added" else empty,
                "title": rows["title"].to_numpy(),
                "changed_by": notes["changed_by"].to_numpy(),
                "change_reason": notes["change_reason"].to_numpy(),
            }
        )

    def long(texts: pd.DataFrame, name: str) -> pd.DataFrame:
        return texts.loc[both].rename_axis("item_id").reset_index().melt("item_id", var_name="field", value_name=name)

    long_old, long_new = long(old_text, "old"), long(new_text, "new")
    fields_changed = long_old.merge(long_new, on=["item_id", "field"])
    fields_changed = fields_changed[fields_changed["old"] != fields_changed["new"]]
    fields_changed = fields_changed.assign(
        change=np.where(fields_changed["field"] == "status", "status", "text"),
        title=new_text["title"].reindex(fields_changed["item_id"]).to_numpy(),
        changed_by=new_notes["changed_by"].reindex(fields_changed["item_id"]).to_numpy(),
        change_reason=new_notes["change_reason"].reindex(fields_changed["item_id"]).to_numpy(),
    )
    result = pd.concat(
        [whole(added, "added", new_text, new_notes), whole(removed, "removed", old_text, old_notes), fields_changed],
        ignore_index=True,
    )
    if result.empty:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in CHANGE_COLUMNS}).astype(
            {"actielijn": "Int64", "table": "string"}
        )
    if table == "activities":
        line = new_text["actielijn"].reindex(result["item_id"]).fillna("")
        line = line.where(line != "", old_text["actielijn"].reindex(result["item_id"]).fillna("").to_numpy())
        result["actielijn"] = pd.to_numeric(line.to_numpy(), errors="coerce")
    else:
        result["actielijn"] = pd.NA
    result["table"] = table
    rank_item = {item: i for i, item in enumerate(order)}
    rank_field = {f: i for i, f in enumerate(("",) + fields)}
    result = result.assign(_item=result["item_id"].map(rank_item), _field=result["field"].map(rank_field)).sort_values(
        ["_item", "_field"], kind="stable"
    )
    result = result[list(CHANGE_COLUMNS)].reset_index(drop=True)
    typed = {c: "string" for c in CHANGE_COLUMNS if c != "actielijn"}
    return result.astype(typed).astype({"actielijn": "Int64"})


def status_counts_before_after(
    old: pd.DataFrame | None, new: pd.DataFrame | None, year: int, by: str | None, statuses: tuple[str, ...]
) -> pd.DataFrame:
    """Rows per status in the old and the new data (``by``: per action line; None: in all), every
    status present; columns ``[by,] status, before, after, difference`` (integers)."""

    def counts(frame):
        if frame is None:
            return pd.Series(dtype="int64")
        rows = frame[frame["report_year"] == year]
        keys = [rows[by].astype("int64"), rows["status"].astype(str)] if by else [rows["status"].astype(str)]
        return rows.groupby(keys, observed=True).size()

    before, after = counts(old), counts(new)
    if by:
        groups = sorted(set(before.index.get_level_values(0)) | set(after.index.get_level_values(0)))
        index = pd.MultiIndex.from_product([groups, list(statuses)], names=[by, "status"])
    else:
        index = pd.Index(list(statuses), name="status")
    table = pd.DataFrame(
        {
            "before": before.reindex(index, fill_value=0).astype("int64"),
            "after": after.reindex(index, fill_value=0).astype("int64"),
        }
    )
    table["difference"] = (table["after"] - table["before"]).astype("int64")
    return table.reset_index()
