"""Verifies a Switchboard EdDSA context token the way an app's backend would, with PyJWT and
nothing but the published keys: fetches the JWKS, picks the key named by the token's `kid`, and
checks the signature, `aud`, `iss` and `exp`.

    verify_token.py JWKS_URL TOKEN AUDIENCE ISSUER

Prints one JSON line: {"ok": true, "kid": ..., "claims": {...}} or {"ok": false, "error": ...}.
"""

import json
import sys

import jwt


def main() -> None:
    jwks_url, token, audience, issuer = sys.argv[1:5]
    try:
        key = jwt.PyJWKClient(jwks_url, cache_keys=False).get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token,
            key.key,
            algorithms=["EdDSA"],
            audience=audience,
            issuer=issuer,
            options={"require": ["exp", "iat", "aud", "iss", "sub"]},
        )
        print(json.dumps({"ok": True, "kid": key.key_id, "claims": claims}))
    except jwt.PyJWTError as error:
        print(json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}"}))


if __name__ == "__main__":
    main()
