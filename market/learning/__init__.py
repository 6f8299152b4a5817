"""The learning loop: what feeds showed and what came of it, and the ranking's weights."""
