import CustosCore

/// The stable codes of `OfflineBundleError`: what is wrong with a bundle the online side
/// exported for an offline signer (`OfflineBundle.verify(trust:)`).
public enum OfflineBundleErrorCode: String, ErrorCode {
    /// Not a bundle, truncated, trailing bytes, or a field out of its bounds.
    case malformedEncoding
    /// A length or count above the limit its field allows.
    case encodingLimitExceeded
    /// The block's commit certificate does not certify it: a vote by a key that is not a
    /// member's, too few votes, a vote for another block.
    case certificate
    /// The request entry is missing from the certified block, is not a request, or is not the
    /// request the attestations speak of.
    case request
    /// An attestation is not a member's signed statement for this cluster, or differs from the others.
    case attestation
    /// Fewer distinct members attest than the cluster's quorum.
    case quorum
    /// The bundle is of another cluster (another genesis digest).
    case genesis
    /// The cluster's members changed since the offline signer was set up.
    case members
    /// The policy text is not the attested one, or does not compile.
    case policy
    /// The message is not what the request's body and the vault's scheme give.
    case message
    /// The attested or re-evaluated decision does not allow signing (denied, frozen, already signed).
    case decision
}

extension OfflineBundleErrorCode: DecodingErrorCode {}
