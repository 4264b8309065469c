/// A step the policy's `onboarding` section requires before a person's roles count anywhere a
/// role counts (initiating, approving, governance, freezes, the access matrix):
///
/// ```yaml
/// onboarding:
///   security_training: {kind: attestation, attested_by: security}
///   hardware_key: {kind: hardware_credential}
///   lab_key: {kind: hardware_credential, accept_unanchored: true}
///   background_check: {kind: attestation, attested_by: security, enforced: false}
/// ```
///
/// An `attestation` is recorded by a governed operation that a holder of `attested_by` proposes;
/// a `hardware_credential` is met by a registered WebAuthn credential whose attestation a
/// certificate vouches for, its chain reaching one of the cluster's attestation roots — or, with
/// `accept_unanchored: true` (for a development cluster whose genesis names no vendor roots),
/// any certificate, which a self-made one passes. A production cluster registers no credential
/// whose chain is unanchored, so there the flag changes nothing. A step with `enforced: false` can be recorded but is not yet
/// required: a firm records its people's steps, then enforces them with a later version.
public struct OnboardingStep: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case attestation
        case hardwareCredential = "hardware_credential"
    }

    public var name: String
    public var kind: Kind
    /// The role whose holder attests an `attestation` step; nil for a `hardware_credential`.
    public var attestedBy: Spanned<String>?
    public var enforced: Bool
    /// A `hardware_credential` step met by a certified credential whose chain reaches none of
    /// the cluster's roots (`accept_unanchored`); false for an attestation.
    public var acceptUnanchored: Bool
    public var location: SourceLocation

    public init(
        name: String, kind: Kind, attestedBy: Spanned<String>?, enforced: Bool = true, acceptUnanchored: Bool = false, location: SourceLocation = .start
    ) {
        self.name = name
        self.kind = kind
        self.attestedBy = attestedBy
        self.enforced = enforced
        self.acceptUnanchored = acceptUnanchored
        self.location = location
    }
}
