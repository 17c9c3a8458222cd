"""Fuzzing the scenario loader: whatever it is given, it accepts the scenario or raises
one of riskengine's own errors (``riskengine.errors``), never anything else.

Three sources of input: random YAML documents (nested mappings, lists and scalars), the
tiny scenario with one field changed, removed or added, and the tiny scenario's text (or
bytes) with characters inserted, deleted or replaced.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskengine.config import load_scenario, load_scenario_text
from riskengine.errors import RiskEngineError

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny.yaml"
TINY_TEXT = TINY.read_text(encoding="utf-8")
TINY_DATA = yaml.safe_load(TINY_TEXT)
FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)

keys = st.one_of(
    st.sampled_from(sorted({*TINY_DATA, *TINY_DATA["ensemble"], *TINY_DATA["escalation"]})),
    st.text(max_size=8),
    st.integers(-3, 3),
    st.booleans(),
    st.none(),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(["tiny", "Russia", "Finland", "threat", "defence_pact", "prior", "onset"]),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)
    ),
    max_leaves=25,
)


def assert_only_own_errors(load, argument) -> None:
    try:
        load(argument)
    except RiskEngineError as error:
        assert str(error).strip(), "an error without a message"
    # anything else propagates and fails the test, with hypothesis' shrunk example


def _paths(data, here=()):
    """Every location (tuple of keys / indices) inside ``data``."""
    yield here
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*here, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*here, index))


LOCATIONS = list(_paths(TINY_DATA))[1:]


def _copy(data):
    return yaml.safe_load(yaml.safe_dump(data))


def _mutated(location, action, value):
    data = _copy(TINY_DATA)
    *parents, last = location
    container = data
    for part in parents:
        container = container[part]
    if action == "delete":
        del container[last]
    elif action == "replace":
        container[last] = value
    elif isinstance(container, dict):
        container[f"added_{value!r:.10}"] = value
    else:
        container.insert(last, value)
    return data


@FUZZ
@given(values)
def test_random_documents_raise_only_riskengine_errors(document):
    assert_only_own_errors(load_scenario_text, yaml.safe_dump(document, sort_keys=False))


@FUZZ
@given(st.sampled_from(LOCATIONS), st.sampled_from(["delete", "replace", "add"]), values)
def test_mutated_tiny_scenario_raises_only_riskengine_errors(location, action, value):
    assert_only_own_errors(
        load_scenario_text, yaml.safe_dump(_mutated(location, action, value), sort_keys=False)
    )


edits = st.tuples(
    st.integers(0, len(TINY_TEXT)), st.integers(0, 5), st.text(max_size=6)
) | st.tuples(
    st.integers(0, len(TINY_TEXT)),
    st.integers(0, 2),
    st.sampled_from(["&a ", "*a", "<<: ", "!!python/object ", "\t", ":", "- ", "{", "'", "\ufeff"]),
)


@FUZZ
@given(st.lists(edits, min_size=1, max_size=3))
def test_edited_tiny_text_raises_only_riskengine_errors(changes):
    text = TINY_TEXT
    for start, length, inserted in changes:
        text = text[:start] + inserted + text[start + length :]
    assert_only_own_errors(load_scenario_text, text)


@FUZZ
@given(st.binary(max_size=64), st.integers(0, len(TINY_TEXT)))
def test_files_with_random_bytes_raise_only_riskengine_errors(noise, position):
    raw = TINY_TEXT.encode("utf-8")
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "fuzzed.yaml"
        path.write_bytes(raw[:position] + noise + raw[position:])
        assert_only_own_errors(load_scenario, path)
