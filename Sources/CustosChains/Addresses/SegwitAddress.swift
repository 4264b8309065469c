import CustosCore

/// A native segwit output address (BIP-173, BIP-350): network, witness version and program.
/// Version 0 is spelled in Bech32, versions 1 to 16 in Bech32m; a Taproot output (BIP-341) is
/// version 1 with the 32-byte x-only output key as its program: `bc1p…`, `tb1p…`, `bcrt1p…`.
public struct SegwitAddress: Sendable, Hashable, CustomStringConvertible {
    public let network: BitcoinNetwork
    public let version: UInt8
    public let program: [UInt8]

    /// Refuses a version above 16, a program outside 2…40 bytes, and a version-0 program of
    /// other than 20 or 32 bytes (BIP-141).
    public init(network: BitcoinNetwork, version: UInt8, program: [UInt8]) throws(AddressError) {
        guard version <= 16 else { throw AddressError(.invalidWitnessProgram, "witness version \(version) is above 16") }
        guard (2...40).contains(program.count) else {
            throw AddressError(.invalidWitnessProgram, "a witness program has 2 to 40 bytes, not \(program.count)")
        }
        guard version != 0 || program.count == 20 || program.count == 32 else {
            throw AddressError(.invalidWitnessProgram, "a version-0 witness program has 20 or 32 bytes, not \(program.count)")
        }
        self.network = network
        self.version = version
        self.program = program
    }

    /// The key-path Taproot address of `outputKey`: the BIP-341 output key, x-only (32 bytes).
    public init(taprootOutputKey outputKey: [UInt8], network: BitcoinNetwork) throws(AddressError) {
        guard outputKey.count == 32 else {
            throw AddressError(.invalidWitnessProgram, "a Taproot output key has 32 bytes, not \(outputKey.count)")
        }
        try self.init(network: network, version: 1, program: outputKey)
    }

    /// Decodes `text` as an address of `network`, refusing another network's prefix and the
    /// wrong checksum variant for its version (BIP-350).
    public init(_ text: String, network: BitcoinNetwork) throws(AddressError) {
        let (hrp, data, variant) = try Bech32.decode(text)
        guard hrp == network.humanReadablePart else {
            throw AddressError(.wrongNetwork, "\"\(hrp)\" is not the prefix of \(network.rawValue) (\(network.humanReadablePart))")
        }
        guard let version = data.first else { throw AddressError(.invalidWitnessProgram, "the address has no witness version") }
        guard variant == (version == 0 ? .bech32 : .bech32m) else {
            throw AddressError(.invalidChecksum, "witness version \(version) is spelled in \(version == 0 ? "Bech32" : "Bech32m")")
        }
        try self.init(network: network, version: version, program: try Bech32.regroup(Array(data.dropFirst()), from: 5, to: 8, pad: false))
    }

    /// The address in lower case.
    public var encoded: String {
        // A valid program always regroups; `init` checked its size.
        let data = [version] + ((try? Bech32.regroup(program, from: 8, to: 5, pad: true)) ?? [])
        return Bech32.encode(hrp: network.humanReadablePart, data: data, variant: version == 0 ? .bech32 : .bech32m)
    }

    /// The output script it pays to: OP_n, then the program pushed.
    public var scriptPubKey: [UInt8] { [version == 0 ? 0 : 0x50 + version, UInt8(program.count)] + program }

    public var description: String { encoded }
}
