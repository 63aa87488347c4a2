"""The newsbot application: configuration, the CLI, the REPL and the Discord adapter."""
