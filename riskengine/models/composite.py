"""Several models in one simulated path: their components stepped in one scan.

A scenario with one model runs that model's own ``summarize`` (its fastest kernel, and
the cube it gave before composition existed). With several, each month every component
steps in registry order, reading the signals (``level``, ...) the components before it
exposed that month; each draws from its own counter stream: the model with stream number
``i`` (``riskengine.models.STREAM_INDICES``, independent of the step order) uses the
draw's key words folded (threefry ``fold_in``) with ``i``, number 0 the words
themselves, so a model's randomness is the same alone and composed, and no two models
share random bits. Besides each model's outputs, the composite counts paths jointly by
the final categories of every pair of components (e.g. the crisis's peak level and the
sanctions' status at the horizon), from which come conditional probabilities such as
P(sanctions succeed | the crisis reaches use of force).

Outputs are named ``<model>:<output>`` inside the kernel; each model's ``metrics`` sees
its own outputs under their plain names. Parameters are namespaced ``<model>.<name>``.
The static settings of all models are merged; each model (and its component) receives
the ones it names in ``static_names`` (default: ``num_months``).
"""

from __future__ import annotations

import functools
import itertools

import jax
import jax.numpy as jnp
import numpy as np

from riskengine.errors import ModelError
from riskengine.models.base import Judgment, ScenarioInputs, Variable
from riskengine.primitives.counter_rng import stream_words
from riskengine.primitives.counts import ratio

__all__ = ["Composite", "component_key_words", "SWEEP_PATHS"]

SWEEP_PATHS = 2048  # paths stepped together over all months (cache-sized on a CPU)
_SEPARATOR = ":"


def component_key_words(key_words, stream_index: int):
    """Key words of the model with stream number ``stream_index``: the draw's own for model 0, else
    threefry ``fold_in(draw key, stream_index)``."""
    if stream_index == 0:
        return key_words
    key = jax.random.wrap_key_data(jnp.asarray(key_words, jnp.uint32))
    return jax.random.key_data(jax.random.fold_in(key, stream_index)).astype(jnp.uint32)


class Composite:
    """The models a scenario runs, as one ``EnsembleModel`` for the engine."""

    def __init__(self, models, stream_indices):
        self.models = tuple(models)
        self.stream_indices = tuple(stream_indices)
        self.names = tuple(model.name for model in self.models)
        self.name = "+".join(self.names)
        self.parameters = {
            f"{model.name}.{name}": parameter
            for model in self.models
            for name, parameter in model.parameters.items()
        }
        self.parameter_coords = _merged(m.parameter_coords for m in self.models)
        self.dimensions = _merged(m.dimensions for m in self.models)
        if len(self.models) > 1:
            self.dimensions |= {
                f"{m.name}_final": m.final_category_description for m in self.models
            }
        self.reductions = self._reductions()

    @property
    def single(self) -> bool:
        return len(self.models) == 1

    def _reductions(self) -> dict:
        if self.single:
            return dict(self.models[0].reductions)
        return {
            f"{model.name}{_SEPARATOR}{name}": reduction
            for model in self.models
            for name, reduction in model.reductions.items()
        }

    def pack(self, flat: dict[str, np.ndarray]) -> tuple:
        """Per-model tuples of parameter arrays, in each model's declared order."""
        return tuple(
            tuple(flat[f"{model.name}.{name}"] for name in model.parameters)
            for model in self.models
        )

    def scenario_inputs(self, scenario) -> ScenarioInputs:
        parts = [model.scenario_inputs(scenario) for model in self.models]
        static = _merged(part.static for part in parts)
        coords = _merged(part.coords for part in parts)
        if not self.single:
            coords |= {
                f"{m.name}_final": np.asarray(m.component.final_categories) for m in self.models
            }
        return ScenarioInputs(
            tuple(part.inputs for part in parts),
            static,
            _merged(part.constant_data for part in parts),
            coords,
        )

    def summarize(self, key_words, params, inputs, path_index, valid, **static):
        model = self.models[0]
        if self.single and hasattr(model, "summarize"):
            own = own_static(model, static)
            return model.summarize(key_words, params[0], inputs[0], path_index, valid, **own)
        outputs = _composite_summarize(self, key_words, params, inputs, path_index, valid, **static)
        return _own_totals(outputs, model.name) if self.single else outputs

    def metrics(self, totals: dict, **static) -> dict[str, Variable]:
        if self.single:
            return self.models[0].metrics(totals, **own_static(self.models[0], static))
        variables: dict[str, Variable] = {}
        for model in self.models:
            own = _own_totals(totals, model.name)
            for name, variable in model.metrics(own, **own_static(model, static)).items():
                if name in variables and name != "path_count":
                    raise ModelError(f"models {self.name}: both define the output {name!r}")
                variables[name] = variable
        return variables | _joint_metrics(self, totals)

    def figures(self, **static) -> list:
        """Each model's declared figures, in step order."""
        return [f for model in self.models for f in model.figures(**own_static(model, static))]

    def judgments(self, **static) -> list[Judgment]:
        judgments = [
            j for model in self.models for j in model.judgments(**own_static(model, static))
        ]
        if not self.single:
            judgments += _joint_judgments(self)
        return judgments

    def warnings(self, scenario, scenario_inputs, provenances: dict) -> dict[str, list[str]]:
        """Each model's notes by kind (``posterior``, ``range``), merged."""
        notes: dict[str, list[str]] = {}
        for model, inputs in zip(self.models, scenario_inputs.inputs, strict=True):
            part = ScenarioInputs(inputs, scenario_inputs.static, scenario_inputs.constant_data, {})
            for kind, texts in model.warnings(scenario, part, provenances[model.name]).items():
                notes.setdefault(kind, []).extend(texts)
        return notes


def own_static(model, static: dict) -> dict:
    """The static settings ``model`` takes (its ``static_names``; default the horizon)."""
    names = getattr(model, "static_names", ("num_months",))
    return {name: value for name, value in static.items() if name in names}


def _merged(dictionaries) -> dict:
    merged: dict = {}
    for dictionary in dictionaries:
        for key, value in dictionary.items():
            if key in merged and not _same(merged[key], value):
                raise ModelError(f"composed models disagree on {key!r}")
            merged[key] = value
    return merged


def _same(first, second) -> bool:
    if isinstance(first, np.ndarray | Variable):
        first_values = first.values if isinstance(first, Variable) else first
        second_values = second.values if isinstance(second, Variable) else second
        return np.array_equal(np.asarray(first_values), np.asarray(second_values))
    return first == second


def _own_totals(totals: dict, model_name: str) -> dict:
    prefix = f"{model_name}{_SEPARATOR}"
    return {name[len(prefix) :]: value for name, value in totals.items() if name.startswith(prefix)}


def _pairs(composite: Composite):
    return itertools.combinations(range(len(composite.models)), 2)


def _joint_name(composite: Composite, first: int, second: int) -> str:
    return f"joint{_SEPARATOR}{composite.names[first]}{_SEPARATOR}{composite.names[second]}"


def _composite_summarize(composite, key_words, params, inputs, path_index, valid, **static):
    components = [model.component for model in composite.models]
    words = [component_key_words(key_words, i) for i in composite.stream_indices]
    num_paths = path_index.shape[0]
    size = max(64, min(SWEEP_PATHS, 1 << max(0, num_paths - 1).bit_length()))
    num_sweeps = -(-num_paths // size)
    padding = num_sweeps * size - num_paths
    sweep_index = jnp.pad(path_index, (0, padding)).reshape(num_sweeps, size)
    sweep_valid = jnp.pad(valid, (0, padding)).reshape(num_sweeps, size)
    run_sweep = functools.partial(_sweep, composite, components, words, params, inputs, static)
    tallies, finals, per_path = jax.lax.map(
        lambda block: run_sweep(*block), (sweep_index, sweep_valid)
    )
    tallies = jax.tree.map(lambda value: jnp.sum(value, axis=0), tallies)
    finals = jax.tree.map(lambda value: jnp.sum(value, axis=0), finals)
    per_path = jax.tree.map(
        lambda value: jnp.moveaxis(value, 0, -2).reshape(*value.shape[1:-1], -1)[..., :num_paths],
        per_path,
    )
    num_valid = jnp.sum(valid, dtype=jnp.int32)
    outputs = {}
    for model, component in zip(composite.models, components, strict=True):
        completed = component.complete(tallies[model.name], finals[model.name], num_valid)
        completed |= per_path[model.name]
        outputs |= {f"{model.name}{_SEPARATOR}{name}": value for name, value in completed.items()}
    return outputs | tallies["joint"]


def _sweep(composite, components, words, params, inputs, static, path_index, valid):
    num_months = static["num_months"]
    settings = [own_static(model, static) for model in composite.models]
    streams = [stream_words(word, path_index) for word in words]
    context: dict = {}
    states = []
    for component, word, param, inp, stream, own in zip(
        components, words, params, inputs, streams, settings, strict=True
    ):
        state = component.start(word, param, inp, stream, valid, context, **own)
        context |= component.signals(state)
        states.append(state)

    def month(states, step):
        counts = {
            model.name: component.tally(state, valid)
            for model, component, state in zip(composite.models, components, states, strict=True)
        }
        context: dict = {}
        new_states = []
        for component, word, param, inp, stream, state in zip(
            components, words, params, inputs, streams, states, strict=True
        ):
            state = component.step(word, param, inp, stream, state, step, context)
            context |= component.signals(state)
            new_states.append(state)
        return tuple(new_states), counts

    # month 1 is the start state; steps 0 .. num_months - 2 lead to months 2 .. num_months,
    # and the last month is tallied after the scan (the state at the horizon is final)
    steps = jnp.arange(num_months - 1, dtype=jnp.uint32)
    last, monthly = jax.lax.scan(month, tuple(states), steps)
    final_tally = {
        model.name: component.tally(state, valid)
        for model, component, state in zip(composite.models, components, last, strict=True)
    }
    monthly = jax.tree.map(
        lambda months, final: jnp.concatenate([months, final[None]]), monthly, final_tally
    )
    monthly = {
        model.name: component.unpack(monthly[model.name])
        for model, component in zip(composite.models, components, strict=True)
    }
    finals, per_path = {}, {}
    for model, component, param, inp, state, own in zip(
        composite.models, components, params, inputs, last, settings, strict=True
    ):
        finals[model.name], per_path[model.name] = component.finish(param, inp, state, valid, **own)
    monthly["joint"] = _joint_counts(composite, components, last, valid)
    return monthly, finals, per_path


def _joint_counts(composite, components, states, valid) -> dict:
    counts = {}
    categories = [c.final_category(s) for c, s in zip(components, states, strict=True)]
    for first, second in _pairs(composite):
        sizes = (len(components[first].final_categories), len(components[second].final_categories))
        cell = categories[first] * sizes[1] + categories[second]
        one_hot = (cell[None, :] == jnp.arange(sizes[0] * sizes[1])[:, None]) & valid[None, :]
        counts[_joint_name(composite, first, second)] = jnp.sum(
            one_hot, axis=1, dtype=jnp.int32
        ).reshape(sizes)
    return counts


def _joint_metrics(composite: Composite, totals: dict) -> dict[str, Variable]:
    lead = ("chain", "draw", "variant")
    variables = {}
    for first, second in _pairs(composite):
        models = composite.models[first], composite.models[second]
        joint = totals[_joint_name(composite, first, second)]
        dims = (*lead, f"{models[0].name}_final", f"{models[1].name}_final")
        name = f"joint_count_{models[0].name}_{models[1].name}"
        variables[name] = Variable(
            dims,
            joint,
            f"paths by the final category of {models[0].name} and of {models[1].name}",
            "paths",
        )
        for given in models[0].component.events:
            for event in models[1].component.events:
                count_given = joint[..., list(given.categories), :].sum(axis=(-2, -1))
                both = joint[..., list(given.categories), :][..., list(event.categories)].sum(
                    axis=(-2, -1)
                )
                value = ratio(both, count_given)
                variables[_conditional_name(models, given, event)] = Variable(
                    lead,
                    value,
                    f"probability that {event.description}, given that {given.description} "
                    "(by the horizon; NaN where no path had the condition)",
                    "probability",
                )
    return variables


def _conditional_name(models, given, event) -> str:
    return f"p_{models[1].name}_{event.name}_given_{models[0].name}_{given.name}"


def _joint_judgments(composite: Composite) -> list[Judgment]:
    judgments = []
    for first, second in _pairs(composite):
        models = composite.models[first], composite.models[second]
        for given in models[0].component.events:
            for event in models[1].component.events:
                if event.name in models[1].component.headline_events:
                    judgments.append(
                        Judgment(
                            _conditional_name(models, given, event),
                            f"{event.description}, if {given.description}",
                        )
                    )
    return judgments
