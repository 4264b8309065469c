extension OnboardingStep {
    /// Reads the `onboarding` section: per step, its kind, the attesting role of an
    /// `attestation`, whether a `hardware_credential` accepts an unanchored chain
    /// (`accept_unanchored`, default: it does not), and whether it is enforced yet (default: it
    /// is).
    static func decode(_ node: YAMLNode, _ r: inout NodeReader) -> [OnboardingStep] {
        var steps: [OnboardingStep] = []
        for entry in r.namedMapping(node, "onboarding") {
            let what = "onboarding step '\(entry.key)'"
            guard let fields = r.mapping(entry.value, what, allowed: ["kind", "attested_by", "accept_unanchored", "enforced"], required: ["kind"]),
                  let kindName = fields["kind"].flatMap({ r.name($0.value, "kind of \(what)") })
            else { continue }
            guard let kind = Kind(rawValue: kindName.value) else {
                r.error(.invalidValue, kindName.location,
                        "\(what) has unknown kind '\(kindName.value.prefix(32))'; it is one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                continue
            }
            let attestedBy = fields["attested_by"].flatMap { r.name($0.value, "attested_by of \(what)") }
            switch (kind, attestedBy) {
            case (.attestation, nil):
                r.error(.missingField, entry.keyLocation, "\(what) is an attestation; name the role that attests it (attested_by)")
                continue
            case (.hardwareCredential, .some(let role)):
                r.error(.invalidValue, role.location, "\(what) is met by a registered hardware credential; nobody attests it (drop attested_by)")
                continue
            default: break
            }
            let enforced = fields["enforced"].flatMap { r.bool($0.value, "enforced of \(what)") } ?? true
            var acceptUnanchored = false
            if let flag = fields["accept_unanchored"] {
                guard kind == .hardwareCredential else {
                    r.error(.invalidValue, flag.keyLocation, "\(what) is an attestation; accept_unanchored is for a hardware_credential step")
                    continue
                }
                acceptUnanchored = r.bool(flag.value, "accept_unanchored of \(what)") ?? false
            }
            steps.append(OnboardingStep(name: entry.key, kind: kind, attestedBy: attestedBy, enforced: enforced, acceptUnanchored: acceptUnanchored,
                                        location: entry.keyLocation))
        }
        return steps
    }
}
