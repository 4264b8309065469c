import CustosCore
import CustosCrypto
import CustosLedger
import CustosState
import Logging

extension VaultService {
    /// Attests every signing attempt of a vault with an offline share that waits for its answer
    /// (air-gapped signing, #15 item 3): this node states, from its own committed state, what the
    /// attempt signs and why it may (`ReplicatedState.offlineStatement(for:)`), signs the statement
    /// with its identity key and submits it as `vault.offline.attest`; every node checks it against
    /// its own. A statement this node cannot make (frozen, not allowed, held) is not attested. A
    /// statement that changed before it committed (a policy adopted meanwhile) is made again under
    /// its new digest; the same one is submitted again after `resubmitAfter`.
    /// `open` is the state's sessions under way (`advanceSigning` lists them once per step).
    func attestOfflineAttempts(_ open: [SigningSession], in state: ReplicatedState) async {
        // Most steps have no offline attempt waiting: nothing else is read then.
        let waiting = open.filter { $0.offline != nil && $0.offline?.answer == nil }
        guard !waiting.isEmpty, state.members.contains(where: { $0.id == identity.id }) else { return }
        for s in waiting {
            guard let attempt = s.offline,
                  let vault = state.vaults[s.vault], environment.mayHold(vault.environment),
                  let statement = try? state.offlineStatement(for: s.requestId)
            else { continue }
            let encoded = statement.encoded
            // Attested already, unless the statement changed since (then it attests again).
            let digest = Hashes.sha256(encoded)
            guard attempt.attestations[identity.id]?.statement != digest else { continue }
            let key = OfflineAttestation.kind + " " + "\(s.requestId)/\(s.attempt)/" + digest.hexString.prefix(16)
            do {
                if submitted[key] != nil {
                    try await resubmitIfDue(key)
                    continue
                }
                let entry = try statement.entry(signedBy: identity, genesisDigest: state.genesisDigest)
                submitted[key] = (entry, .now)
                counters.offlineAttestations += 1
                try await gateway.submit(entry)
            } catch {
                logger.error("attesting an offline signing attempt failed",
                             metadata: ["request": "\(s.requestId)", "error": "\("\(error)".printable(limit: 512))"])
            }
        }
    }
}
