"""``riskengine info``: versions, JAX devices and where ensembles run by default."""

from __future__ import annotations

__all__ = ["describe"]


def describe() -> str:
    import jax

    from riskengine.cube.provenance import git_revision, package_versions
    from riskengine.ensemble.cluster import available_cores
    from riskengine.ensemble.parameters import posterior_path

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
        f"escalation posterior: {'shipped' if posterior_path('escalation').exists() else 'not shipped (prior draws)'}",
    ]
    return "\n".join(lines)
