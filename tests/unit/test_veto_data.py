"""The veto model's data: the veto list as read, the target coding, the alignments and
the arrays. Real-data tests skip (with the reason) when the shared data folder is
absent; the coding rules and the seat holders are also checked on hand-made drafts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskengine.errors import DataError
from riskengine.models.veto import data
from riskengine.models.veto.coding import (
    MEMBER_CCODES,
    MEMBERS,
    PRC_SEATED,
    code_targets,
    seat_ccode,
    target_coding,
)

USA, UK, FRANCE, RUSSIA = 2, 200, 220, 365
ISRAEL, SYRIA, SOUTH_AFRICA = 666, 652, 560


def _drafts(*rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["crisis_topic", "agenda_item", "date"])
    return frame.assign(date=pd.to_datetime(frame["date"]))


def test_rules_pick_the_first_match_and_read_the_applicant():
    coded = code_targets(
        _drafts(
            (
                "Israel-Palestine",
                "Letters dated 4 January 1989 from Libya and Bahrain",
                "1989-01-11",
            ),
            ("Israel-Palestine", "The situation in the occupied Arab territories", "1989-02-17"),
            ("Admission", "Admission of new Members Bangladesh", "1972-08-25"),
            ("Ukraine", "Letter dated 28 February 2014 from Ukraine", "2022-02-25"),
            ("Disarmament", "Regulation and reduction of armaments", "1949-10-11"),
        )
    )
    assert coded["target_ccode"].tolist() == [USA, ISRAEL, 771, RUSSIA, -1]
    assert coded["kind"].tolist() == ["against", "against", "admission", "against", "none"]
    assert coded["party_USA"].tolist() == [1, 0, 0, 0, 0]
    assert coded["party_Russia"].tolist() == [0, 0, 0, 1, 0]


def test_a_draft_no_rule_matches_is_refused_with_its_date():
    with pytest.raises(DataError, match=r"1999-01-01 on 'Atlantis'"):
        code_targets(_drafts(("Atlantis", "The question of Atlantis", "1999-01-01")))


def test_the_coding_table_is_well_formed():
    rules = target_coding()
    assert set(rules["kind"]) == {"against", "favour", "admission", "none"}
    assert set(rules["confidence"]) == {"high", "low"}
    assert (rules["note"].str.len() > 10).all()
    against = rules[rules["kind"] == "against"]
    assert (against["target_ccode"] > 0).all()


def test_seat_holders():
    assert seat_ccode("China", PRC_SEATED - pd.Timedelta(days=1)) == 713
    assert seat_ccode("China", PRC_SEATED) == 710
    assert seat_ccode("Russia", pd.Timestamp("1950-01-01")) == RUSSIA
    np.testing.assert_array_equal(
        data.period_of_year([1946, 1965, 1966, 1991, 1992, 2022]), [0, 0, 1, 1, 2, 2]
    )
    np.testing.assert_array_equal(
        data.period_of_year([1955, 1956, 2010, 2011], data.COUNT_PERIODS), [0, 1, 3, 4]
    )


@pytest.fixture(scope="module")
def drafts(shared_data_dir) -> pd.DataFrame:
    return data.load_drafts(shared_data_dir)


@pytest.mark.needs_data
def test_vetoes_are_read_from_the_member_names(drafts, shared_data_dir):
    assert len(drafts) == 214
    totals = {m: int(drafts[f"veto_{m}"].sum()) for m in MEMBERS}
    assert totals == {"USA": 82, "UK": 29, "France": 16, "Russia": 121, "China": 17}
    assert (drafts[[f"veto_{m}" for m in MEMBERS]].sum(axis=1) >= 1).all()
    source = pd.read_csv(shared_data_dir / data.VETO_FILE)
    flags = source[["USA", "UK", "France", "USSR", "Russia", "China"]].to_numpy()
    assert int(flags.sum()) == 239  # the file's 0/1 columns miss 26 vetoes: not used


@pytest.mark.needs_data
def test_every_rule_is_used_and_the_exclusions_are_counted(drafts):
    assert set(drafts["coding_rule"]) == set(range(len(target_coding())))
    counts = drafts["exclusion"].replace("", "included").value_counts().to_dict()
    assert counts == {
        "included": 140,
        "admission": 42,
        "no alignment record": 15,
        "no state target": 12,
        "favours target": 5,
    }
    assert drafts.attrs["num_included"] == 140


@pytest.mark.needs_data
def test_alignments_are_read_before_the_draft(drafts):
    included = drafts[drafts["in_alignment_part"]]
    for member in MEMBERS:
        alignment = included[f"alignment_{member}"]
        assert alignment.between(0, 1).all()
        is_target = included["target_ccode"] == np.where(
            (member == "China") & (included["date"] < PRC_SEATED), 713, MEMBER_CCODES[member]
        )
        year = included[f"alignment_year_{member}"]
        assert (year[~is_target] < included.loc[~is_target, "year"]).all()
        assert (alignment[is_target] == 1).all()
        assert (included.loc[is_target, f"party_{member}"] == 1).all()
    syria = included[included["target_ccode"] == SYRIA].query("year >= 2011")
    assert (syria["alignment_Russia"] > syria["alignment_USA"] + 0.3).all()


@pytest.mark.needs_data
def test_arrays_and_counts(drafts):
    arrays = data.draft_arrays(drafts)
    assert arrays["vetoed"].shape == arrays["alignment"].shape == (140, len(MEMBERS))
    assert arrays["vetoed"].dtype == np.int32 and arrays["alignment"].dtype == np.float32
    counts = data.member_year_counts(drafts)
    assert counts.shape == (77, 5) and int(counts.to_numpy().sum()) == 265
    assert counts.loc[1981, "France"] == 4 and counts.loc[1946:1969, "USA"].sum() == 0
    count_part = data.count_arrays(counts)
    assert count_part["period"][[0, 9, 10, 76]].tolist() == [0, 0, 1, 4]


@pytest.mark.needs_data
def test_provenance_names_the_three_files(shared_data_dir):
    provenance = data.data_provenance(shared_data_dir)
    assert set(provenance["files"]) == {
        data.VETO_FILE,
        "alignment/un_votes.csv.gz",
        "alignment/un_roll_calls.csv.gz",
    }
    assert all(len(entry["sha256"]) == 64 for entry in provenance["files"].values())
    assert set(provenance["citations"]) == {"UNSC veto list", "UNGA votes"}
