"""``riskengine info``: versions, JAX devices and where ensembles run by default."""

from __future__ import annotations

__all__ = ["describe"]


def describe() -> str:
    import jax

    from riskengine.cube.provenance import git_revision, package_versions
    from riskengine.ensemble.cluster import available_cores
    from riskengine.models import MODEL_NAMES
    from riskengine.models.paths import posterior_path

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
        f"default dask scheduler: LocalCluster with {cores} single-threaded worker processes, one pinned per core",
        "  (--scheduler threads|synchronous|tcp://HOST:PORT to change)",
        "",
        "models (in the order they step within a path):",
    ]
    lines += [
        f"  {name:12s} fitted posterior "
        f"{'shipped' if posterior_path(name).exists() else 'not shipped (runs use prior draws)'}"
        for name in MODEL_NAMES
    ]
    return "\n".join(lines)
