"""What the Dagster UI and `dagster definitions validate` show of a code location, as plain data.

Two ways of building the definitions (ours, and Dagster's stock `load_from_defs_folder`) must
give the same summary: same assets, checks, groups, owners, descriptions, metadata, automation,
jobs, schedules, sensors and resources.
"""

from __future__ import annotations

from typing import Any

import dagster as dg


def _spec_summary(spec: dg.AssetSpec) -> dict[str, Any]:
    return {
        "group": spec.group_name,
        "owners": sorted(spec.owners),
        "description": spec.description,
        "metadata_keys": sorted(spec.metadata),
        "kinds": sorted(spec.kinds),
        "tags": dict(sorted(spec.tags.items())),
        "deps": sorted(dep.asset_key.to_user_string() for dep in spec.deps),
        "partitions": repr(spec.partitions_def),
        "automation": repr(spec.automation_condition),
        "freshness": repr(getattr(spec, "freshness_policy", None)),
        "skippable": spec.skippable,
    }


def graph_summary(defs: dg.Definitions) -> dict[str, Any]:
    """Everything of `defs` a user sees, keyed by name; comparable with `==`."""
    graph = defs.resolve_asset_graph()
    assets: dict[str, Any] = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "owners": sorted(node.owners),
            "description": node.description,
            "metadata_keys": sorted(node.metadata),
            "kinds": sorted(node.kinds),
            "tags": dict(sorted(node.tags.items())),
            "parents": sorted(p.to_user_string() for p in node.parent_keys),
            "partitions": repr(node.partitions_def),
            "automation": repr(node.automation_condition),
            "is_materializable": node.is_materializable,
            "is_observable": node.is_observable,
        }
    checks: dict[str, Any] = {}
    for check_key in sorted(graph.asset_check_keys, key=str):
        spec = graph.get_check_spec(check_key)
        checks[f"{check_key.asset_key.to_user_string()}:{check_key.name}"] = {
            "description": spec.description,
            "blocking": spec.blocking,
            "metadata_keys": sorted(spec.metadata),
            "additional_deps": sorted(d.asset_key.to_user_string() for d in spec.additional_deps),
        }
    repo = defs.get_repository_def()
    jobs = {
        job.name: {
            "description": job.description,
            "tags": dict(sorted(job.tags.items())),
            "nodes": sorted(node.name for node in job.graph.nodes),
            "partitioned": job.partitions_def is not None,
        }
        for job in sorted(repo.get_all_jobs(), key=lambda j: j.name)
        if not job.name.startswith("__ASSET_JOB")
    }
    schedules = {
        s.name: {
            "cron": s.cron_schedule,
            "timezone": s.execution_timezone,
            "job": s.job_name,
            "status": str(s.default_status),
            "description": s.description,
        }
        for s in sorted(repo.schedule_defs, key=lambda s: s.name)
    }
    sensors = {
        s.name: {
            "type": type(s).__name__,
            "jobs": sorted(t.job_name for t in s.targets),
            "status": str(s.default_status),
            "interval": s.minimum_interval_seconds,
            "description": s.description,
        }
        for s in sorted(repo.sensor_defs, key=lambda s: s.name)
    }
    return {
        "assets": assets,
        "checks": checks,
        "jobs": jobs,
        "schedules": schedules,
        "sensors": sensors,
        "resources": sorted(defs.resources or {}),
        "executor": repo.get_job(next(iter(jobs))).executor_def.name if jobs else None,
    }
