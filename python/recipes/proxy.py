"""A backend proxy: tools sign requests with their own key pair (v1); the proxy verifies them and
forwards to Persona with the real API key, which never leaves the server."""

import json
import urllib.parse

import persona


class PersonaProxy:
    def __init__(self, tool_keys, api_key, base_url=None):
        self.verifier = persona.RequestVerifier(tool_keys, tolerance=300, replay_cache=100_000)
        self.client = persona.Client(api_key=api_key, base_url=base_url)

    def handle(self, method, target, headers, body):
        """``target`` is the request target as received, e.g. ``/api/v1/inquiries?page[size]=2``.
        Returns (status, JSON-able body)."""
        try:
            key_id = self.verifier.verify(method, target, headers, body)
        except persona.RequestVerificationError as error:
            return 401, {"errors": [{"title": "Invalid signature", "details": error.code}]}
        path, _, query = target.partition("?")
        try:
            result = self.client.request(
                method,
                path.removeprefix("/api/v1"),
                query=dict(urllib.parse.parse_qsl(query, keep_blank_values=True)),
                json_body=json.loads(body) if body else None,
            )
        except persona.APIError as error:
            return error.status, {"errors": error.errors}
        return 200, dict(result, meta={"signed-by": key_id})
