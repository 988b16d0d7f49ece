"""The cap policy's arithmetic and order."""

from __future__ import annotations

import pytest

from curation.synthetic.cap import FlaggedDoc, allowed_flagged, documents_to_drop


@pytest.mark.parametrize(
    ("kept", "flagged", "share", "allowed"),
    [
        (100, 0, 0.1, 0),  # nothing flagged
        (100, 5, 0.1, 5),  # already under the cap
        (100, 20, 0.1, 8),  # 8 / (80 + 8) = 0.0909 <= 0.1; 9 / 89 > 0.1
        (10, 10, 0.5, 0),  # only flagged documents: none may stay
        (100, 20, 0.0, 0),  # share 0 drops every flagged document
        (100, 20, 1.0, 20),  # share 1 drops nothing
        (3, 1, 0.5, 1),  # 1 / 3 <= 0.5
    ],
)
def test_allowed_flagged(kept, flagged, share, allowed):
    assert allowed_flagged(kept, flagged, share) == allowed
    if allowed:
        assert allowed / (kept - flagged + allowed) <= share + 1e-12


def test_highest_scores_are_dropped_first_ties_by_id():
    docs = [FlaggedDoc("k1", "b", 0.95), FlaggedDoc("k2", "a", 0.95), FlaggedDoc("k3", "c", 0.99)]
    dropped = documents_to_drop(kept=4, flagged_docs=docs, max_share=0.5)
    assert [doc.id for doc in dropped] == ["c", "a"]  # 1 flagged of 2 kept = 0.5
