import CustosCore
import CustosCrypto

extension ThresholdECDSA {
    /// Whole protocols with every party in this process (demo, benchmarks, tests); a cluster
    /// runs the same steps on separate nodes.
    public enum Local {
        /// DKG with threshold t+1 (degree t) and a jointly generated chain code.
        public static func keyGeneration(identifiers: [ID], maxFaulty t: Int) throws(MPCError) -> [ID: KeyShare] {
            let (keys, pub) = try LocalCeremony<Suite>.keyGeneration(identifiers: identifiers, minSigners: t + 1)
            var secrets: [ID: JointRandomness.Secret] = [:]
            var commitments: [ID: [UInt8]] = [:]
            for id in identifiers {
                let (secret, commitment) = JointRandomness.commit(identifier: id, label: "bip32-chain-code")
                secrets[id] = secret
                commitments[id] = commitment
            }
            let reveals = secrets.mapValues(JointRandomness.reveal)
            let chainCode = try JointRandomness.combine(label: "bip32-chain-code", commitments: commitments, reveals: reveals)
            var shares: [ID: KeyShare] = [:]
            for id in identifiers {
                shares[id] = try KeyShare(keyPackage: keys[id]!, publicKeyPackage: pub, chainCode: chainCode)
            }
            return shares
        }

        /// One presigning run among `signers` (exactly 2t+1), all four rounds.
        public static func presign(
            keyShares: [ID: KeyShare], signers: [ID], sessionID: [UInt8] = SecureRandom.bytes(count: 32)
        ) throws(MPCError) -> [ID: PresignatureBox] {
            guard let first = signers.first.flatMap({ keyShares[$0] }) else {
                throw MPCError(.invalidParameters, "no key share for the signers")
            }
            let context = try PresignContext(sessionID: sessionID, keyShare: first, signers: signers)
            var parties: [ID: PartyBox] = [:]
            for id in context.signers {
                guard let share = keyShares[id] else {
                    throw MPCError(.missingParticipant, "no key share for \(id)", culprits: [id.description])
                }
                parties[id] = PartyBox(try PresignParty(context: context, keyShare: share))
            }
            var round1: [ID: PresignRound1] = [:]
            var inbox: [ID: [ID: PresignShares]] = [:]
            for id in context.signers {
                let (broadcast, shares) = try parties[id]!.party.round1Messages()
                round1[id] = broadcast
                for (to, s) in shares { inbox[to, default: [:]][id] = s }
            }
            var round2: [ID: PresignRound2] = [:]
            for id in context.signers {
                round2[id] = try parties[id]!.party.round2Message(broadcasts: round1, shares: inbox[id] ?? [:])
            }
            var round3: [ID: PresignRound3] = [:]
            for id in context.signers { round3[id] = try parties[id]!.party.round3Message(broadcasts: round2) }
            var confirmations: [ID: PresignConfirmation] = [:]
            for id in context.signers { confirmations[id] = try parties[id]!.party.finish(broadcasts: round3) }
            var out: [ID: PresignatureBox] = [:]
            for id in context.signers { out[id] = PresignatureBox(try parties[id]!.party.confirm(confirmations: confirmations)) }
            return out
        }

        /// Signs with one presignature per signer and combines.
        public static func sign(
            presignatures: [ID: PresignatureBox], keyShares: [ID: KeyShare], request: SignRequest
        ) throws(MPCError) -> Signature {
            var shares: [ID: SignatureShare] = [:]
            var publicData: PresignaturePublicData? = nil
            let signers = presignatures.keys.sorted()
            for id in signers {
                guard let presignature = presignatures[id]!.take() else {
                    throw MPCError(.presignatureMismatch, "the presignature of \(id) was already used")
                }
                publicData = presignature.publicData
                shares[id] = try ThresholdECDSA.sign(presignature: presignature, keyShare: keyShares[id]!, signers: signers,
                                                     request: request)
            }
            guard let publicData, let key = keyShares[signers[0]]?.publicKey else {
                throw MPCError(.invalidParameters, "no signers")
            }
            return try combine(publicData: publicData, publicKey: key, request: request, shares: shares)
        }
    }

    /// A presigning party held between rounds by the local runner.
    final class PartyBox {
        var party: PresignParty
        init(_ party: consuming PresignParty) { self.party = party }
    }

    /// Holds one presignature until it is taken, once.
    public final class PresignatureBox {
        private var presignature: Presignature?
        public init(_ presignature: consuming Presignature) { self.presignature = consume presignature }
        public func take() -> Presignature? { presignature.take() }
    }
}
