"""Pure-JAX building blocks shared by the models: no numpyro, dask or xarray here."""

from riskengine.primitives.counter_rng import mix32, stream_words, uniform_bits
from riskengine.primitives.ordered_logit import (
    category_from_bits,
    category_probabilities,
    cumulative_probabilities,
    probability_to_bits,
)

__all__ = [
    "category_from_bits",
    "category_probabilities",
    "cumulative_probabilities",
    "mix32",
    "probability_to_bits",
    "stream_words",
    "uniform_bits",
]
