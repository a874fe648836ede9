"""A small OpenID Connect provider on 127.0.0.1 for the single sign-on tests: discovery, authorize,
token and keys, signing ID tokens with its own RSA key. No network beyond the loopback address."""

from __future__ import annotations

import secrets
import time
from contextlib import contextmanager
from urllib.parse import urlencode

from browser_helpers import serving
from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

CLIENT_ID, CLIENT_SECRET = "tracker-client", "tracker-client-secret"


class Provider:
    """What the provider will say about the next person who "signs in" there: ``claims``."""

    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
        self.claims: dict = {}
        self.codes: dict[str, dict] = {}
        self.issuer = ""

    def app(self) -> Flask:
        app = Flask("oidc_provider")

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify({"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                            "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/keys",
                            "response_types_supported": ["code"], "subject_types_supported": ["public"],
                            "id_token_signing_alg_values_supported": ["RS256"]})

        @app.get("/keys")
        def keys():
            return jsonify({"keys": [self.key.as_dict(private=False)]})

        @app.get("/authorize")
        def authorize():
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"nonce": request.args.get("nonce"), "client_id": request.args["client_id"]}
            return redirect(f"{request.args['redirect_uri']}?{urlencode({'code': code, 'state': request.args['state']})}")

        @app.post("/token")
        def token():
            grant = self.codes.pop(request.form.get("code", ""), None)
            if grant is None or request.authorization is None or (
                    request.authorization.username, request.authorization.password) != (CLIENT_ID, CLIENT_SECRET):
                return jsonify({"error": "invalid_grant"}), 400
            now = int(time.time())
            claims = {"iss": self.issuer, "aud": grant["client_id"], "sub": "person-1", "iat": now, "exp": now + 300,
                      "nonce": grant["nonce"], **self.claims}
            id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)
            return jsonify({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                            "id_token": id_token})

        return app


@contextmanager
def running_provider():
    """A Provider served on a free loopback port; its ``issuer`` is set to its address."""
    provider = Provider()
    server = make_server("127.0.0.1", 0, provider.app(), threaded=True)
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    with serving(server, provider.issuer):
        yield provider
