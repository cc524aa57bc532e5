"""Running many replications: seeds, executors and result files."""
