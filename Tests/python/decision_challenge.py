"""Independent derivation of people's decision challenges with hashlib, for the Swift cross-checks:
RequestDecisionEntry.challenge (custos.request.challenge.v1 and, timed, .v2) and
GovernanceProposal.challenge (untimed, and timed: custos.governance.challenge.v2).

Input: {"vectors": [{"scope": "request" | "governance", "act": "approve" | "reject",
                     "genesis": hex, "subject": hex, "signedAt": int or null, "reviewMillis": int or null}]}
  subject: a request id's 32 bytes, or a proposal's canonical encoding (its digest is taken here).
  signedAt null: the untimed challenge; reviewMillis null: a review not measured.
Output: {"challenges": [hex, ...]}
"""
import hashlib
import json
import struct
import sys


def sha256(data):
    return hashlib.sha256(data).digest()


def tagged(tag, data):
    t = sha256(tag.encode("utf-8"))
    return sha256(t + t + data)


def length_prefixed(data):
    return struct.pack(">I", len(data)) + data


def timing(signed_at, review):
    return struct.pack(">Q", signed_at) + bytes([0 if review is None else 1]) + struct.pack(">Q", review or 0)


def challenge(v):
    genesis = bytes.fromhex(v["genesis"])
    subject = bytes.fromhex(v["subject"])
    signed_at = v.get("signedAt")
    review = v.get("reviewMillis")
    if v["scope"] == "request":
        tag = "custos.request.challenge.v1" if signed_at is None else "custos.request.challenge.v2"
        encoding = length_prefixed(tag.encode()) + length_prefixed(genesis) + length_prefixed(subject)
        if signed_at is not None:
            encoding += timing(signed_at, review)
        return tagged("custos/request/" + v["act"], encoding)
    digest = sha256(subject)
    if signed_at is None:
        return tagged("custos/governance/" + v["act"], genesis + digest)
    encoding = (length_prefixed(b"custos.governance.challenge.v2") + length_prefixed(genesis) + length_prefixed(digest)
                + timing(signed_at, review))
    return tagged("custos/governance/" + v["act"], encoding)


def main():
    request = json.load(sys.stdin)
    json.dump({"challenges": [challenge(v).hex() for v in request["vectors"]]}, sys.stdout)


if __name__ == "__main__":
    main()
