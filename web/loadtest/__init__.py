"""The production stack run on loopback (replicas, nginx, private PostgreSQL and Redis) and
the load benchmark that drives it (`linggong bench load`)."""
