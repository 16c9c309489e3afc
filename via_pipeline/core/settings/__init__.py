"""Settings, configuration files, paths and orchestration config: what a run reads before it starts."""
