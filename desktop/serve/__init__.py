"""The local OpenAI-compatible server: a third front end beside the GUI and the CLI.

config (settings, bearer token) -> security (Host, Origin, token, body size) ->
app (endpoints) -> executor (the engine thread) -> runner (uvicorn).
"""
