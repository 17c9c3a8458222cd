"""UN General Assembly agreement (riskengine.data.alignment) and the ISO -> COW mapping
(riskengine.data.country_codes).

The measure is checked on a hand-made year; the mapping and the tables on the real
vote files (skipped, with the reason, when the shared data folder is absent). The
tables are built once per session (about 3-6 s).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskengine.data import alignment
from riskengine.data.country_codes import OUTSIDE_COW_SYSTEM, iso_cow_table, map_to_ccode

USA, UK, FRANCE, RUSSIA, CHINA, TAIWAN = 2, 200, 220, 365, 710, 713
ISRAEL, SYRIA, SOUTH_AFRICA, NORTH_KOREA = 666, 652, 560, 731


def test_agreement_scores_abstention_as_half():
    votes = pd.DataFrame(
        {
            "rcid": [1, 1, 1, 2, 2, 2, 3, 3],
            "ccode": [10, 20, 30, 10, 20, 30, 10, 20],
            "value": [1.0, 1.0, 0.0, 1.0, 0.5, 0.5, 0.0, 0.5],
        }
    )
    table = alignment._year_table(1990, votes)
    np.testing.assert_array_equal(table.ccodes, [10, 20, 30])
    # 10-20: yes/yes 1, yes/abstain 0.5, no/abstain 0.5 over 3 roll calls
    assert table.agreement[0, 1] == pytest.approx(2.0 / 3.0)
    assert table.num_votes[0, 1] == 3
    # 10-30: yes/no 0, yes/abstain 0.5; 20-30: yes/no 0, abstain/abstain 1
    assert table.agreement[0, 2] == pytest.approx(0.25)
    assert table.agreement[1, 2] == pytest.approx(0.5)
    np.testing.assert_array_equal(table.agreement, table.agreement.T)
    np.testing.assert_array_equal(np.diag(table.agreement), 1.0)


def test_mapping_table_has_one_row_per_delegation_and_known_codes():
    table = iso_cow_table()
    spot = dict(zip(table["country_code"], table["ccode"], strict=True))
    expected = {"US": 2, "CA": 20, "GB": 200, "FR": 220, "DE": 255, "RU": 365, "CN": 710}
    expected |= {"IL": 666, "SY": 652, "ZA": 560, "NA": 565, "YU": 345, "CS": 315}
    expected |= {"DD": 265, "YD": 680, "YE": 679, "TW": 713, "KP": 731, "VN": 816}
    assert {code: spot[code] for code in expected} == expected
    names = table[table["country_code"] == ""].set_index("country")["ccode"].to_dict()
    assert names == {
        "Federal Republic of Germany": 260,
        "Yemen Arab Republic": 678,
        "Zanzibar": 511,
    }


def test_unknown_delegation_is_refused_with_its_name():
    from riskengine.errors import DataError

    with pytest.raises(DataError, match=r"'XX'.*iso_cow\.csv"):
        map_to_ccode(pd.Series(["US", "XX"]), pd.Series(["United States", "Nowhere"]), [1990] * 2)


def test_year_limits_drop_the_soviet_republics_before_1991():
    codes = pd.Series(["UA", "UA", "BY", "IN", "IN", "TW"])
    names = pd.Series(["Ukraine", "Ukraine", "Belarus", "India", "India", "Taiwan"])
    mapped = map_to_ccode(codes, names, [1990, 1991, 1960, 1946, 1947, 1946])
    np.testing.assert_array_equal(mapped, [-1, 369, -1, -1, 750, 713])


@pytest.fixture(scope="module")
def raw_votes(shared_data_dir):
    from riskengine.data import paths

    path, columns = alignment.ALIGNMENT_FILES["votes"]
    return paths.read_table(shared_data_dir, path, columns, allow_missing=True, as_text=True)


@pytest.fixture(scope="module")
def votes(shared_data_dir):
    return alignment.load_votes(shared_data_dir)


@pytest.mark.needs_data
def test_every_delegation_in_the_votes_file_maps(raw_votes, votes):
    table = iso_cow_table()
    keys = set(raw_votes["country_code"].dropna())
    assert keys <= set(table["country_code"])
    unnamed = set(raw_votes.loc[raw_votes["country_code"].isna(), "country"])
    assert unnamed == set(table.loc[table["country_code"] == "", "country"])
    # dropped: the SSRs before 1991 and British India 1946, nothing else
    assert votes.attrs["num_dropped"] == 7250
    assert len(votes) + votes.attrs["num_dropped"] == len(raw_votes) == 870_109


@pytest.mark.needs_data
def test_no_two_delegations_share_a_code_in_a_year_and_codes_are_cow_states(
    raw_votes, votes, shared_data_dir
):
    per_call = votes.groupby(["rcid", "ccode"]).size()
    assert per_call.max() == 1
    nmc = pd.read_csv(shared_data_dir / "conflict" / "cow_nmc.csv", usecols=["ccode", "year"])
    live = set(zip(nmc["ccode"].astype(int), nmc["year"].astype(int), strict=True))
    state_years = set(zip(votes["ccode"], votes["year"], strict=True))
    outside = {pair for pair in state_years if pair not in live}
    assert outside == set(OUTSIDE_COW_SYSTEM)


@pytest.mark.needs_data
def test_spot_checks_by_date(votes):
    years = votes.groupby("ccode")["year"].agg(["min", "max"])
    assert tuple(years.loc[260]) == (1973, 1990)  # West Germany
    assert tuple(years.loc[265]) == (1973, 1989)  # East Germany
    assert years.loc[255, "min"] == 1991  # unified Germany
    assert tuple(years.loc[TAIWAN]) == (1946, 1971)
    assert years.loc[CHINA, "min"] == 1971
    assert years.loc[369, "min"] == years.loc[370, "min"] == 1991
    assert years.loc[565, "min"] == 1990  # Namibia: "NA" read as a code, not missing


@pytest.fixture(scope="module")
def tables(shared_data_dir):
    return alignment.year_tables(shared_data_dir)


@pytest.mark.needs_data
def test_frame_matches_a_direct_computation_for_one_year(votes, tables):
    year = 1975
    frame = alignment.agreement(year, year)
    one = votes[votes["year"] == year]
    pairs = one.merge(one, on="rcid", suffixes=("_a", "_b"))
    pairs = pairs[pairs["ccode_a"] < pairs["ccode_b"]]
    pairs["agree"] = 1.0 - (pairs["value_a"] - pairs["value_b"]).abs()
    direct = pairs.groupby(["ccode_a", "ccode_b"])["agree"].agg(["mean", "size"]).reset_index()
    merged = frame.merge(direct, on=["ccode_a", "ccode_b"], how="outer", validate="1:1")
    assert len(merged) == len(frame) == len(direct)
    np.testing.assert_allclose(merged["agreement"], merged["mean"], rtol=1e-12)
    np.testing.assert_array_equal(merged["num_votes"], merged["size"])


@pytest.mark.needs_data
def test_agreement_frame_shape_and_ranges(tables):
    frame = alignment.agreement(1946, 2020)
    assert list(frame.columns) == ["ccode_a", "ccode_b", "year", "agreement", "num_votes"]
    assert (frame["ccode_a"] < frame["ccode_b"]).all()
    assert frame["agreement"].between(0, 1).all() and (frame["num_votes"] >= 1).all()
    assert set(frame["year"]) == set(range(1946, 2021)) - {1964}  # no roll call in 1964


@pytest.mark.needs_data
def test_known_alignments(tables):
    usa_israel = alignment.dyad_agreement(USA, ISRAEL).set_index("year")["agreement"]
    usa_syria = alignment.dyad_agreement(SYRIA, USA).set_index("year")["agreement"]
    russia_syria = alignment.dyad_agreement(RUSSIA, SYRIA).set_index("year")["agreement"]
    assert usa_israel.loc[2000:2019].min() > 0.7
    assert usa_syria.loc[2000:2019].max() < 0.4
    assert russia_syria.loc[2000:2019].min() > 0.6
    cold_war = alignment.dyad_agreement(USA, RUSSIA).set_index("year")["agreement"]
    assert (
        cold_war.loc[1950:1985].mean() < 0.5 < alignment.dyad_agreement(USA, UK)["agreement"].mean()
    )


@pytest.mark.needs_data
def test_alignment_before_reads_an_earlier_year_only(tables):
    found = alignment.alignment_before(USA, ISRAEL, 1990)
    assert found.year == 1989 and found.num_votes >= alignment.MIN_VOTES
    assert alignment.alignment_before(ISRAEL, USA, 1990) == found  # order does not matter
    # 2020 has one roll call: a 2021 question reads 2019
    assert alignment.alignment_before(USA, UK, 2021).year == 2019
    assert alignment.alignment_before(USA, UK, 2021, min_votes=1).year == 2020
    # South Africa was kept out of the General Assembly 1974-1993: the latest is 1973
    assert alignment.alignment_before(USA, SOUTH_AFRICA, 1985).year == 1973
    assert alignment.alignment_before(USA, NORTH_KOREA, 1991) is None  # member from 1991
    assert alignment.alignment_before(USA, UK, 1946) is None  # nothing before the first year
    assert alignment.alignment_before(CHINA, SYRIA, 1971) is None  # the PRC votes from 1971
