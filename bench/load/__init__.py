"""The production stack run on loopback (replicas, nginx, private PostgreSQL and Redis), the
market it is seeded with, and the load benchmark that drives it (`python -m bench load`).
The fault tests in tests/deploy start the same stack."""
