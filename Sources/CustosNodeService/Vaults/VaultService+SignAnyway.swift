import CustosCore
import CustosCrypto
import CustosLedger
import CustosPolicy
import CustosMPC
import CustosNode
import CustosSigning
import CustosState
import Logging

extension VaultService {
    /// Test-only misbehaviour (`NodeFaultInjection.signAnything`): for each request the fault
    /// names, this node derives the message itself, picks two peers' pooled nonce commitments,
    /// computes its FROST share with a fresh nonce (skipping the policy re-check) and sends it
    /// under the session the log would have started. Its peers never take part: their logs
    /// started no such session, so they ignore the envelopes, and no signature can exist.
    func signAnyway(in state: ReplicatedState) async {
        for recorded in faults.requestsToSignAnyway(state) where !signedAnyway.contains(recorded.id) {
            signedAnyway.insert(recorded.id)
            guard let vault = state.vaults[recorded.request.vault], vault.status == .active, vault.scheme == .frostEd25519,
                  let mine = vault.index(of: identity.id), let key = vault.key
            else { continue }
            do {
                let peers = vault.holders.filter { $0 != identity.id && !(vault.nonces[$0] ?? []).isEmpty }
                    .prefix(vault.minSigners - 1)
                guard peers.count == vault.minSigners - 1,
                      let sealed = try database.secret(kind: .vaultKeyShare, id: NodeDatabase.vaultShareID(vault: vault.id, epoch: UInt64(vault.epoch)))
                else { continue }
                let message = try MessageSigningInput.input(committedBody: recorded.body, scheme: vault.scheme)
                let keyPackage = try KeyPackage<Ed25519SHA512>(sealedRepresentation: sealed)
                let nonces = FROST<Ed25519SHA512>.commit(keyPackage: keyPackage)
                var commitments: [Int: [UInt8]] = [mine: try nonces.commitments.serializedBytes]
                for peer in peers { commitments[vault.index(of: peer)!] = vault.nonces[peer]!.first! }
                let package = try FROSTSigningCheck.package(Ed25519SHA512.self, commitments: commitments, message: message, tweak: nil)
                let share = try FROST<Ed25519SHA512>.sign(
                    package: package, nonces: nonces, keyPackage: keyPackage,
                    publicKeyPackage: try PublicKeyPackage<Ed25519SHA512>(serializedBytes: key.publicKeyPackage), expectedMessage: message)
                let signers = [identity.id] + peers
                let session = SessionName(mpcProtocol: .sign, vaultID: vault.id, keyEpoch: UInt64(vault.epoch), signers: signers.map(\.rawValue),
                                          requestID: "\(recorded.id)#0", startHeight: state.height).sessionID(genesisDigest: state.genesisDigest)
                var messages: [NodeID: VaultShareMessage] = [:]
                for peer in peers {
                    messages[peer] = VaultShareMessage(vault: vault.id, epoch: vault.epoch, signing: .init(request: recorded.id, attempt: 0),
                                                       recipient: peer, unsafeShare: share.serializedBytes)
                }
                logger.critical("UNSAFE FAULT INJECTION: signing a request this node's state refuses", metadata: ["request": "\(recorded.id)"])
                _ = try await post(try seal(messages, session: session, round: VaultEntry.signatureShareRound, state: state),
                                   what: "a share for a refused request")
            } catch {
                logger.error("the injected fault could not sign", metadata: ["error": "\("\(error)".printable(limit: 256))"])
            }
        }
    }
}
