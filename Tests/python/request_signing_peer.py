"""Independent bot request signing for the Swift cross-checks: RFC 8785 via `rfc8785`,
Ed25519 and P-256 via `cryptography`.

Input: {"sign": [{"alg": "Ed25519"|"ES256", "body": json text, "cluster": hex, "keyId", "timestamp", "nonce"}],
        "verify": [{"alg", "public_key": hex, "envelope": json text}]}
Output: {"sign": [{"public_key": hex, "envelope": json text}], "verify": [bool, ...]}
The signature covers rfc8785({"body", "cluster", "keyId", "nonce", "timestamp"}), where cluster is
the genesis digest of the cluster the request is meant for; P-256 signatures are r || s.
"""
import base64
import json
import sys

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def unb64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def signing_input(env):
    return rfc8785.dumps({"body": env["body"], "cluster": env["cluster"], "keyId": env["keyId"],
                          "nonce": env["nonce"], "timestamp": env["timestamp"]})


def sign(item):
    env = {k: item[k] for k in ("cluster", "keyId", "timestamp", "nonce")}
    env["body"] = json.loads(item["body"])
    message = signing_input(env)
    if item["alg"] == "Ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
        sig = key.sign(message)
        pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    else:
        key = ec.generate_private_key(ec.SECP256R1())
        r, s = decode_dss_signature(key.sign(message, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        pub = key.public_key().public_bytes(serialization.Encoding.X962,
                                            serialization.PublicFormat.UncompressedPoint)
    env["signature"] = b64url(sig)
    # Deliberately not canonical in transit: indented, members in another order.
    return {"public_key": pub.hex(), "envelope": json.dumps(env, indent=2, sort_keys=False)}


def verify(item):
    env = json.loads(item["envelope"])
    message = signing_input(env)
    sig = unb64url(env["signature"])
    pub = bytes.fromhex(item["public_key"])
    try:
        if item["alg"] == "Ed25519":
            ed25519.Ed25519PublicKey.from_public_bytes(pub).verify(sig, message)
        else:
            der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), pub).verify(
                der, message, ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False


def main():
    request = json.load(sys.stdin)
    json.dump({"sign": [sign(i) for i in request.get("sign", [])],
               "verify": [verify(i) for i in request.get("verify", [])]}, sys.stdout)


if __name__ == "__main__":
    main()
