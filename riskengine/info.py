"""``riskengine info``: versions, JAX devices and where ensembles run by default."""

from __future__ import annotations

__all__ = ["describe"]


def describe() -> str:
    import jax

    from riskengine.cube.provenance import git_revision, package_versions
    from riskengine.ensemble.cluster import available_cores
    from riskengine.models import MODEL_NAMES, get_model

    lines = [
        "riskengine " + package_versions()["riskengine"],
        f"git revision: {git_revision()}",
        "",
        "packages:",
    ]
    lines += [f"  {name:12s} {version}" for name, version in package_versions().items()]
    lines += ["", "jax devices:"] + [f"  {device.platform}: {device}" for device in jax.devices()]
    cores = available_cores()
    lines += [
        "",
        f"default dask scheduler: threads ({cores}, one per core, in this process)",
        "  (--scheduler local|synchronous|tcp://HOST:PORT to change; local: a LocalCluster",
        "  of single-threaded worker processes, one pinned per core)",
        "",
        "models (in the order they step within a path):",
    ]
    lines += [_posterior_line(get_model(name)) for name in MODEL_NAMES]
    return "\n".join(lines)


def _posterior_line(model) -> str:
    path = model.posterior_path
    if not path.exists():
        return f"  {model.name:12s} fitted posterior not shipped (runs use prior draws)"
    source = path.parent.parent.name
    whose = "" if source == model.name else f" (the {source} model's, for its {source} parameters)"
    return f"  {model.name:12s} fitted posterior shipped{whose}"
