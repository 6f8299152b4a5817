"""Security helpers shared by the API, the pages and the websocket: cookies, login throttling."""
