"""The data chapter's clauses: which groups are largest and smallest, and whether any test
face has a copy in another part of the split."""

from __future__ import annotations

from facevae.latex import format_number, format_percent
from facevae.names import group_name


def data_sentences(tree: dict) -> dict[str, str]:
    """``data.*`` clauses from the table's counts (``tree["data"]``) and the split
    (``tree["data.split"]``)."""
    counts, genders = tree["data"]["ethnicity"], tree["data"]["gender"]
    largest, smallest = max(counts, key=counts.get), min(counts, key=counts.get)
    balance = min(genders.values()) / max(max(genders.values()), 1)
    copies = tree["data.split"]["test_faces_with_copy_elsewhere"]
    return {
        "data.largest_group": group_name(largest),
        "data.smallest_group": group_name(smallest),
        "data.ethnicity_imbalance": (
            f"{group_name(largest)} faces make up {format_number(counts[largest])} rows, against"
            f" {format_number(counts[smallest])} in the smallest group, {group_name(smallest)}"
        ),
        "data.largest_share": format_percent(counts[largest] / sum(counts.values())),
        # Within a tenth of each other: close to balanced.
        "data.gender_balance": "close to balanced" if balance >= 0.9 else "unbalanced",
        "data.test_copies": (
            "no copy of a test face, exact or near, is in the training or validation data"
            if copies == 0
            else f"{format_number(copies)} test faces still have a copy, exact or near, in the"
            " training or validation data"
        ),
    }
