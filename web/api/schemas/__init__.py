"""What the API returns, one module per domain (named like its router in `web/api/`).

Each `...Out` model is built by its `..._out` function from the market's rows; privacy lives
here too: contact fields are filled only after a hire, distances are rounded.
"""
