"""Independent WebAuthn for the Swift cross-checks.

Input (stdin JSON):
  {"make": {"rp_id", "origin", "reg_challenge": hex, "challenges": [hex, ...], "alg": "ES256"|"EdDSA"},
   "verify": {"rp_id", "origin", "reg_challenge": hex, "registration": {...}, "assertions": [...]}}
"make" builds a registration and one assertion per challenge with python-fido2's data classes and
keys from `cryptography` (signatures over authenticatorData || SHA-256(clientDataJSON)).
"verify" checks Swift-produced responses with py_webauthn (duo-labs) server-side verification.
Byte strings travel as hex.
"""
import hashlib
import json
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from fido2.cose import ES256, EdDSA
from fido2.webauthn import (AttestationObject, AttestedCredentialData, AuthenticatorData,
                            CollectedClientData)
import webauthn
from webauthn.helpers import bytes_to_base64url


def make(req):
    rp_hash = hashlib.sha256(req["rp_id"].encode()).digest()
    if req.get("alg", "ES256") == "ES256":
        key = ec.generate_private_key(ec.SECP256R1())
        cose = ES256.from_cryptography_key(key.public_key())
        sign = lambda m: key.sign(m, ec.ECDSA(hashes.SHA256()))
    else:
        key = ed25519.Ed25519PrivateKey.generate()
        cose = EdDSA.from_cryptography_key(key.public_key())
        sign = lambda m: key.sign(m)
    cred_id = hashlib.sha256(b"python-credential" + rp_hash).digest()
    aaguid = bytes(16)
    F = AuthenticatorData.FLAG
    att = AttestedCredentialData.create(aaguid, cred_id, cose)
    auth = AuthenticatorData.create(rp_hash, F.UP | F.UV | F.AT, 0, att)
    obj = AttestationObject.create("none", auth, {})
    cdata = CollectedClientData.create("webauthn.create", bytes.fromhex(req["reg_challenge"]), req["origin"])
    out = {"registration": {"credential_id": cred_id.hex(), "attestation_object": bytes(obj).hex(),
                            "client_data": bytes(cdata).hex()}, "assertions": []}
    for i, challenge in enumerate(req["challenges"]):
        ad = AuthenticatorData.create(rp_hash, F.UP | F.UV, i + 1)
        cd = CollectedClientData.create("webauthn.get", bytes.fromhex(challenge), req["origin"])
        sig = sign(bytes(ad) + hashlib.sha256(bytes(cd)).digest())
        out["assertions"].append({"authenticator_data": bytes(ad).hex(), "client_data": bytes(cd).hex(),
                                  "signature": sig.hex()})
    return out


def b64(h):
    return bytes_to_base64url(bytes.fromhex(h))


def verify(req):
    reg = req["registration"]
    credential = {"id": b64(reg["credential_id"]), "rawId": b64(reg["credential_id"]), "type": "public-key",
                  "response": {"clientDataJSON": b64(reg["client_data"]),
                               "attestationObject": b64(reg["attestation_object"])}}
    verified = webauthn.verify_registration_response(
        credential=credential, expected_challenge=bytes.fromhex(req["reg_challenge"]),
        expected_rp_id=req["rp_id"], expected_origin=req["origin"], require_user_verification=True)
    out = {"registration": {"credential_id": verified.credential_id.hex(),
                            "public_key": verified.credential_public_key.hex(),
                            "sign_count": verified.sign_count, "fmt": str(getattr(verified.fmt, "value", verified.fmt))},
           "assertions": []}
    count = verified.sign_count
    for a in req["assertions"]:
        cred = {"id": b64(reg["credential_id"]), "rawId": b64(reg["credential_id"]), "type": "public-key",
                "response": {"clientDataJSON": b64(a["client_data"]),
                             "authenticatorData": b64(a["authenticator_data"]),
                             "signature": b64(a["signature"])}}
        try:
            result = webauthn.verify_authentication_response(
                credential=cred, expected_challenge=bytes.fromhex(a["challenge"]), expected_rp_id=req["rp_id"],
                expected_origin=req["origin"], credential_public_key=verified.credential_public_key,
                credential_current_sign_count=count, require_user_verification=True)
            count = result.new_sign_count
            out["assertions"].append({"ok": True, "new_sign_count": count})
        except Exception as e:  # py_webauthn raises InvalidAuthenticationResponse
            out["assertions"].append({"ok": False, "error": str(e)})
    return out


def main():
    request = json.load(sys.stdin)
    out = {}
    if "make" in request:
        out["make"] = make(request["make"])
    if "verify" in request:
        out["verify"] = verify(request["verify"])
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
