import Crypto
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosLedger
import Foundation

/// Opens the envelopes of a node's relay inbox, trusting nothing the relay says: each must be
/// addressed to this node's transport key, signed by a current member (`SignedEnvelope.open`),
/// consistent with the relay's routing fields, and for a session the committed log started.
/// A message that fails a check is refused naming its sender; an authentic one for a session
/// not started is ignored. Every outcome is counted in `counters`.
public struct RelayInboxOpener: Sendable {
    private let transportKey: Curve25519.KeyAgreement.PrivateKey
    private let membersByKey: [[UInt8]: Member]
    private let membersByID: [NodeID: Member]
    private let isStartedSession: @Sendable ([UInt8]) -> Bool
    public let counters: RelayCounters

    /// `members` are the current members (id and identity key); `isStartedSession` says whether
    /// the committed log started the session with this 32-byte id.
    public init(transportKey: Curve25519.KeyAgreement.PrivateKey, members: [Member],
                isStartedSession: @escaping @Sendable ([UInt8]) -> Bool, counters: RelayCounters = RelayCounters()) {
        self.transportKey = transportKey
        membersByKey = Dictionary(members.map { ($0.publicKeyBytes, $0) }, uniquingKeysWith: { first, _ in first })
        membersByID = Dictionary(members.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.isStartedSession = isStartedSession
        self.counters = counters
    }

    /// Opens one inbox message and counts the outcome.
    public func open(_ message: RelayInboxMessage) -> RelayDelivery {
        let delivery = opening(message)
        counters.count(delivery)
        return delivery
    }

    private func opening(_ message: RelayInboxMessage) -> RelayDelivery {
        let claimed = (try? NodeID(message.sender)).flatMap { membersByID[$0]?.id }
        guard let data = Data(base64Encoded: message.envelope) else {
            return .refused(sender: claimed, reason: "the envelope is not base64")
        }
        let bytes = [UInt8](data)
        let header: SignedEnvelope.Header
        do throws(CustosCrypto.CryptoError) { header = try SignedEnvelope.header(of: bytes) } catch {
            return .refused(sender: claimed, reason: error.reason)
        }
        guard let sender = membersByKey[header.sender] else {
            return .refused(sender: claimed, reason: "the envelope's sender is not a current member's identity key")
        }
        guard message.sender == sender.id.rawValue, message.sessionId == header.sessionID.hexString, message.round == Int(header.round) else {
            return .refused(sender: sender.id, reason: "the relay's sender, session or round does not match the envelope's header")
        }
        let evidence: SignedEnvelope.Evidence
        do throws(CustosCrypto.CryptoError) {
            evidence = try SignedEnvelope.open(bytes, recipient: transportKey, isKnownSender: { membersByKey[$0] != nil })
        } catch {
            return .refused(sender: sender.id, reason: error.reason)
        }
        guard isStartedSession(header.sessionID) else { return .ignored(sender: sender, sessionID: header.sessionID) }
        return .delivered(sender: sender, evidence: evidence)
    }
}
