"""The benchmark harness: hot paths against the framework and driver ceilings."""
