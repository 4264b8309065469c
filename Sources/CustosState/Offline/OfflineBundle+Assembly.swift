import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger

extension OfflineBundle {
    /// Assembles the bundle of attempt `attempt` of `request` from what the log holds: the
    /// certified block that committed the request, and for each member that attested `statement`
    /// (SHA-256 of the statement's encoding) the certified block at the height its attestation
    /// committed (`blocks`, by height). Picks the request's entry by its id (SHA-256 of its signing
    /// input) and each member's `vault.offline.attest` entry of exactly that statement from its own
    /// block: a refused or different attestation in the same block is left out. Believes nothing:
    /// the offline signer checks every part (`verify(trust:)`), and so can whoever assembles it
    /// first. Names what is missing.
    public static func assemble(
        request: String, attempt: UInt32, statement: [UInt8], requestBlock: CertifiedBlock,
        attesters: [(member: NodeID, height: UInt64)], blocks: [UInt64: CertifiedBlock], policyYAML: String
    ) throws(OfflineBundleError) -> OfflineBundle {
        let index = requestBlock.block.entries.firstIndex { entry in
            guard entry.kind == RequestEntry.submitKind, let signed = try? RequestBook.signedRequest(in: entry) else { return false }
            return Hashes.sha256(signed.signingInput).hexString == request
        }
        guard let index else {
            throw OfflineBundleError(.request, "block \(requestBlock.block.height) does not carry request \(request.printable(limit: 64))")
        }
        var attestations: [Entry] = []
        for (member, height) in attesters.sorted(by: { $0.member < $1.member }) {
            guard let block = blocks[height] else {
                throw OfflineBundleError(.attestation, "no block \(height) for the attestation of \(member)")
            }
            let entry = block.block.entries.first { entry in
                guard entry.kind == OfflineAttestation.kind, Hashes.sha256(entry.payload) == statement,
                      (try? MemberSignature.signer(of: entry).node) == member,
                      let decoded = try? OfflineAttestation(encoded: entry.payload)
                else { return false }
                return decoded.request == request && decoded.attempt == attempt
            }
            guard let entry else {
                throw OfflineBundleError(.attestation, "block \(height) carries no attestation of \(member) for attempt \(attempt) of request \(request.printable(limit: 64))")
            }
            attestations.append(entry)
        }
        guard !attestations.isEmpty else {
            throw OfflineBundleError(.quorum, "no member attests attempt \(attempt) of request \(request.printable(limit: 64))")
        }
        return OfflineBundle(block: requestBlock.block, certificate: requestBlock.certificate, requestIndex: index,
                             attestations: attestations, policyYAML: policyYAML)
    }
}
