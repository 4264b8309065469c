
/// A block with the certificate that commits it.
public struct CertifiedBlock: Sendable, Hashable {
    public let block: Block
    public let certificate: QuorumCertificate

    public init(block: Block, certificate: QuorumCertificate) {
        self.block = block
        self.certificate = certificate
    }

    /// Verifies the certificate for this block.
    public func verify(in configuration: ClusterConfiguration) throws(LedgerError) {
        try certificate.verify(for: block, in: configuration)
    }
}
