import CustosCore
import CustosIdentity
import CustosLedger

/// The governance entries of the log, each carrying the acting person's WebAuthn assertion as its
/// authorization: `governance.propose` (payload: the proposal), `governance.approve` and
/// `governance.reject` (payload: operation id and the person, and from version 2 the decision's
/// `DecisionTiming`, which its challenge then binds: `GovernanceProposal.challenge(_:genesisDigest:timing:)`);
/// and `governance.enrol`, a person
/// registering a credential themselves under an enrolment the quorum approved (payload: the
/// enrolment's operation id, the person and the code key's proof; authorization: the registration).
public enum GovernanceEntry: Sendable, Hashable {
    public static let proposeKind = "governance.propose"
    public static let approveKind = "governance.approve"
    public static let rejectKind = "governance.reject"
    public static let enrolKind = "governance.enrol"

    case propose(GovernanceProposal, assertion: WebAuthnAssertion.Response)
    /// An approval or a rejection; `timing` nil for a version 1 (untimed) one. A rejection that
    /// cancels an operation waiting its time-lock is untimed: it signs the cancel challenge.
    case approve(operationId: String, user: String, assertion: WebAuthnAssertion.Response, timing: DecisionTiming? = nil)
    case reject(operationId: String, user: String, assertion: WebAuthnAssertion.Response, timing: DecisionTiming? = nil)
    /// `user` registers a credential under the enrolment `enrolmentId`; `proof` is the code key's
    /// signature over the registration (`CredentialEnrolment.proof(code:registration:)`), whose
    /// challenge is `CredentialEnrolment.registrationChallenge`.
    case enrol(enrolmentId: String, user: String, proof: [UInt8], registration: WebAuthnRegistration.Response)

    static let voteTag = "custos.governance.vote.v1"
    static let timedVoteTag = "custos.governance.vote.v2"
    static let enrolTag = "custos.governance.enrol.v2"
    static let registrationTag = "custos.governance.registration.v1"
    static let assertionTag = "custos.governance.assertion.v1"

    /// The log entry for this action.
    public func entry() throws(LedgerError) -> Entry {
        switch self {
        case .propose(let proposal, let assertion):
            return try Entry(kind: Self.proposeKind, payload: proposal.encoded, authorization: Self.encode(assertion))
        case .approve(let id, let user, let assertion, let timing):
            return try Entry(kind: Self.approveKind, payload: Self.encodeVote(id, user, timing), authorization: Self.encode(assertion))
        case .reject(let id, let user, let assertion, let timing):
            return try Entry(kind: Self.rejectKind, payload: Self.encodeVote(id, user, timing), authorization: Self.encode(assertion))
        case .enrol(let id, let user, let proof, let registration):
            var w = CanonicalWriter(tag: Self.enrolTag)
            w.append(string: id)
            w.append(string: user)
            w.append(lengthPrefixed: proof)
            var r = CanonicalWriter(tag: Self.registrationTag)
            r.append(lengthPrefixed: registration.credentialId)
            r.append(lengthPrefixed: registration.attestationObject)
            r.append(lengthPrefixed: registration.clientDataJSON)
            return try Entry(kind: Self.enrolKind, payload: w.bytes, authorization: r.bytes)
        }
    }

    /// Decodes a governance entry strictly; throws `malformed` for anything else.
    public init(_ entry: Entry) throws(GovernanceError) {
        switch entry.kind {
        case Self.proposeKind:
            self = .propose(try GovernanceProposal(encoded: entry.payload), assertion: try Self.decodeAssertion(entry.authorization))
        case Self.approveKind, Self.rejectKind:
            let timed = (try? GovernanceReader(entry.payload, tag: Self.timedVoteTag, what: "")) != nil
            var r = try GovernanceReader(entry.payload, tag: timed ? Self.timedVoteTag : Self.voteTag, what: "\(entry.kind) payload")
            let id = try r.string("operation id", max: GovernanceProposal.maximumIdLength)
            let user = try r.string("user")
            let timing = timed ? try DecisionTiming.read(from: &r) : nil
            try r.finish()
            let assertion = try Self.decodeAssertion(entry.authorization)
            self = entry.kind == Self.approveKind
                ? .approve(operationId: id, user: user, assertion: assertion, timing: timing)
                : .reject(operationId: id, user: user, assertion: assertion, timing: timing)
        case Self.enrolKind:
            var p = try GovernanceReader(entry.payload, tag: Self.enrolTag, what: "\(entry.kind) payload")
            let id = try p.string("enrolment id", max: GovernanceProposal.maximumIdLength)
            let user = try p.string("user")
            let proof = try p.bytes("proof", max: 64)
            try p.finish()
            var r = try GovernanceReader(entry.authorization, tag: Self.registrationTag, what: "registration")
            let credentialId = try r.bytes("credential id", max: AuthenticatorData.maxCredentialIdLength)
            let attestation = try r.bytes("attestation object", max: WebAuthnRegistration.maxAttestationObjectLength)
            let clientData = try r.bytes("client data", max: 8 * 1024)
            try r.finish()
            self = .enrol(enrolmentId: id, user: user, proof: proof, registration: WebAuthnRegistration.Response(
                credentialId: credentialId, attestationObject: attestation, clientDataJSON: clientData))
        default:
            throw GovernanceError(.malformed, "unknown governance entry kind \"\(entry.kind.prefix(64))\"")
        }
    }

    static func encodeVote(_ id: String, _ user: String, _ timing: DecisionTiming?) -> [UInt8] {
        var w = CanonicalWriter(tag: timing == nil ? voteTag : timedVoteTag)
        w.append(string: id)
        w.append(string: user)
        timing?.append(to: &w)
        return w.bytes
    }

    static func encode(_ a: WebAuthnAssertion.Response) -> [UInt8] {
        var w = CanonicalWriter(tag: assertionTag)
        w.append(lengthPrefixed: a.credentialId)
        w.append(lengthPrefixed: a.authenticatorData)
        w.append(lengthPrefixed: a.clientDataJSON)
        w.append(lengthPrefixed: a.signature)
        w.append(optional: a.userHandle)
        return w.bytes
    }

    static func decodeAssertion(_ bytes: [UInt8]) throws(GovernanceError) -> WebAuthnAssertion.Response {
        var r = try GovernanceReader(bytes, tag: assertionTag, what: "assertion")
        let credentialId = try r.bytes("credential id", max: 1023)
        let authenticatorData = try r.bytes("authenticator data", max: 16 * 1024)
        let clientData = try r.bytes("client data", max: 8 * 1024)
        let signature = try r.bytes("signature", max: 128)
        let userHandle = try r.optionalBytes("user handle")
        try r.finish()
        return WebAuthnAssertion.Response(
            credentialId: credentialId, authenticatorData: authenticatorData, clientDataJSON: clientData,
            signature: signature, userHandle: userHandle)
    }
}
