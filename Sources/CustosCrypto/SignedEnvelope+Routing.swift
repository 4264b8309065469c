import CustosCore

extension SignedEnvelope {
    /// The header of a sealed envelope, read in the clear so that a relay can route and account
    /// for the message without opening it. Nothing in it is authenticated until the recipient
    /// opens the envelope (`open` checks the signature and the HPKE associated data over it).
    public static func header(of envelope: [UInt8]) throws(CryptoError) -> Header {
        guard envelope.count >= Header.byteCount + 32 + 16 + 64 else {
            throw CryptoError(.invalidLength, "envelope truncated: \(envelope.count) bytes")
        }
        return try Header(bytes: envelope[0..<Header.byteCount])
    }
}
