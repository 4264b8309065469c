"""Independent vault-address derivation for the Swift cross-checks.

Everything here is written from the specifications, apart from the curve arithmetic on
secp256k1 (coincurve, PyPI) and the EIP-55 spelling (eth-keys, the library eth-account uses):
BIP-32 CKDpub, the BIP-341 key-path tweak, Bech32m (BIP-350), Base58, and Custos's Ed25519
public derivation over a small edwards25519 implementation after RFC 8032.

Input (stdin JSON):
  {"derive": [{"scheme": str, "groupKey": hex, "chainCode": hex32, "path": [int], "chain": str}],
   "taproot": [{"address": str, "message": hex, "signature": hex64}],
   "base58": [hex], "bech32m": [{"hrp": str, "program": hex}]}
Output:
  {"derive": [str], "taproot": [bool], "base58": [str], "bech32m": [str]}
"""
import hashlib
import hmac
import json
import sys

from coincurve import PublicKey, PublicKeyXOnly
from eth_keys import keys

# --- Bech32m (BIP-350; BIP-173 for the shared parts) -------------------------------------

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
BECH32M_CONST = 0x2BC830A3


def polymod(values):
    generators = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            if (top >> i) & 1:
                chk ^= generators[i]
    return chk


def hrp_expand(hrp):
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def regroup(data, frombits, tobits, pad):
    acc, bits, out = 0, 0, []
    maxv = (1 << tobits) - 1
    for value in data:
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad and bits:
        out.append((acc << (tobits - bits)) & maxv)
    elif not pad and (bits >= frombits or (acc << (tobits - bits)) & maxv):
        raise ValueError("bad padding")
    return out


def segwit_v1_encode(hrp, program):
    data = [1] + regroup(program, 8, 5, True)
    residue = polymod(hrp_expand(hrp) + data + [0] * 6) ^ BECH32M_CONST
    checksum = [(residue >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(CHARSET[d] for d in data + checksum)


def segwit_v1_decode(address):
    hrp, _, rest = address.rpartition("1")
    data = [CHARSET.index(c) for c in rest]
    if polymod(hrp_expand(hrp) + data) != BECH32M_CONST or data[0] != 1:
        raise ValueError("not a Bech32m segwit v1 address")
    return bytes(regroup(data[1:-6], 5, 8, False))


# --- Base58 (Bitcoin alphabet) ------------------------------------------------------------

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58(data):
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, digit = divmod(number, 58)
        out = B58[digit] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


# --- secp256k1: BIP-32 CKDpub and the BIP-341 tweak ---------------------------------------

N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def ckd_pub(key, chain_code, index):
    i = hmac.new(chain_code, key + index.to_bytes(4, "big"), hashlib.sha512).digest()
    if int.from_bytes(i[:32], "big") >= N:
        raise ValueError("I_L >= n")
    return PublicKey(key).add(i[:32]).format(compressed=True), i[32:]


def tagged_hash(tag, data):
    t = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(t + t + data).digest()


def taproot_output_key(compressed):
    xonly = PublicKeyXOnly(compressed[1:])  # BIP-341 takes the even-y point with this x
    xonly.tweak_add(tagged_hash("TapTweak", compressed[1:]))
    return xonly.format()


# --- edwards25519 after RFC 8032 §5.1 (extended coordinates) ------------------------------

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def ed_add(a, b):
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % P
    bb = (y1 + x1) * (y2 + x2) % P
    cc = t1 * 2 * D * t2 % P
    dd = z1 * 2 * z2 % P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def ed_mul(s, point):
    result = (0, 1, 1, 0)
    while s:
        if s & 1:
            result = ed_add(result, point)
        point = ed_add(point, point)
        s >>= 1
    return result


def ed_decode(data):
    y = int.from_bytes(data, "little") & ((1 << 255) - 1)
    sign = data[31] >> 7
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P or y >= P:
        raise ValueError("not a point")
    if x & 1 != sign:
        x = P - x
    return (x, y, 1, x * y % P)


def ed_encode(point):
    x, y, z, _ = point
    zi = pow(z, P - 2, P)
    x, y = x * zi % P, y * zi % P
    return (y | (x & 1) << 255).to_bytes(32, "little")


ED_BASE = ed_decode(bytes.fromhex("5866666666666666666666666666666666666666666666666666666666666666"))


def ed_ckd_pub(key, chain_code, index):
    suffix = key + index.to_bytes(4, "big")
    t = int.from_bytes(hmac.new(chain_code, b"\x02" + suffix, hashlib.sha512).digest(), "little") % L
    child_code = hmac.new(chain_code, b"\x03" + suffix, hashlib.sha512).digest()[32:]
    return ed_encode(ed_add(ed_decode(key), ed_mul(t, ED_BASE))), child_code


# --- Vault addresses ----------------------------------------------------------------------

HRP = {"bitcoin": "bc", "bitcoin-testnet": "tb", "bitcoin-regtest": "bcrt"}


def derive(item):
    key, code = bytes.fromhex(item["groupKey"]), bytes.fromhex(item["chainCode"])
    step = ed_ckd_pub if item["scheme"] == "frost-ed25519" else ckd_pub
    for index in item["path"]:
        key, code = step(key, code, index)
    chain = item["chain"]
    if chain == "evm":
        return keys.PublicKey.from_compressed_bytes(key).to_checksum_address()
    if chain in HRP:
        return segwit_v1_encode(HRP[chain], taproot_output_key(key))
    if chain == "solana":
        return base58(key)
    raise ValueError(f"unknown chain {chain}")


def verify_taproot(item):
    program = segwit_v1_decode(item["address"])
    return PublicKeyXOnly(program).verify(bytes.fromhex(item["signature"]), bytes.fromhex(item["message"]))


def main() -> None:
    request = json.load(sys.stdin)
    json.dump({
        "derive": [derive(item) for item in request.get("derive", [])],
        "taproot": [verify_taproot(item) for item in request.get("taproot", [])],
        "base58": [base58(bytes.fromhex(x)) for x in request.get("base58", [])],
        "bech32m": [segwit_v1_encode(x["hrp"], bytes.fromhex(x["program"])) for x in request.get("bech32m", [])],
    }, sys.stdout)


if __name__ == "__main__":
    main()
