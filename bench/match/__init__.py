"""The matching benchmark: a simulated Yantai market, quality against the offline optimum,
and speed and memory of ranking, feeds and dispatch (`python -m bench match`)."""
