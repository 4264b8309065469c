/// The policy's `approvals` section: limits on approval fatigue, enforced by every node in its
/// state transition, in block time and the approvers' signed times.
///
/// - `perPersonPerHour`: how many approvals one person gives in a rolling hour — request
///   approvals and governance approvals alike (a person approving 200 governance items an hour is
///   as tired as one approving 200 transfers); rejections are not counted. Nil: no bound.
/// - `beyond`: what an approval over that bound does. `pause` refuses it with the reason and the
///   time the next one is possible. `secondPerson` records a request approval, which fills a
///   requirement only once another eligible person, within their own bound, approved the request
///   too; a governance approval over the bound is refused either way (the quorum is not widened).
/// - `hastyWithinSeconds` and `hastyOverUSD`: a request approval whose measured review (from the
///   prompt shown to the approval, bound into the person's assertion) is shorter than
///   `hastyWithinSeconds` on a request whose USD notional is at least `hastyOverUSD` — or is not
///   known (fail safe) — is flagged for review; so is one on such a request without a measured
///   review (a scripted approval). Nil: nothing is flagged.
public struct ApprovalPolicy: Sendable, Hashable {
    public enum Beyond: String, Sendable, Hashable, CaseIterable {
        case pause
        case secondPerson = "second_person"
    }

    public var perPersonPerHour: Int?
    public var beyond: Beyond
    public var hastyWithinSeconds: Int?
    public var hastyOverUSD: FixedDecimal

    public init(perPersonPerHour: Int? = nil, beyond: Beyond = .pause, hastyWithinSeconds: Int? = nil, hastyOverUSD: FixedDecimal = .zero) {
        self.perPersonPerHour = perPersonPerHour
        self.beyond = beyond
        self.hastyWithinSeconds = hastyWithinSeconds
        self.hastyOverUSD = hastyOverUSD
    }

    /// The rolling window the per-person bound counts in: one hour, in milliseconds of block time.
    public static let windowMillis: UInt64 = 3_600_000

    /// Whether the policy asks anything of approvals (then a request or governance approval must
    /// carry the time it was signed, so that it cannot be held back and presented later).
    public var isSet: Bool { perPersonPerHour != nil || hastyWithinSeconds != nil }

    /// Whether a request of USD notional `usd` (nil: not known) is large enough for a hasty
    /// approval of it to be flagged.
    public func isLarge(_ usd: FixedDecimal?) -> Bool {
        guard hastyWithinSeconds != nil else { return false }
        guard let usd else { return true }
        return usd >= hastyOverUSD
    }

    /// The USD notional from which a request, or a batch of requests together, is large for a
    /// batch approval: `approvals.hasty`'s `over_usd` where the section is set (the YAML sets
    /// `within` and `over_usd` together) and lower, else `defaultBatchBoundUSD` — a batch always
    /// has a size bound (security review M-a: without one, one touch approved 20 × 5,000,000
    /// USD), and adding a hasty section, which a policy diff reads as stronger, never raises it
    /// (review M3). A request whose notional is not known is never batched, whatever this says
    /// (`RequestFlags.alone`). One value, the amount with where it comes from, so that a reason
    /// never names another source than the number it gives.
    public var batchBound: BatchBound {
        hastyWithinSeconds != nil && hastyOverUSD <= Self.defaultBatchBoundUSD
            ? BatchBound(usd: hastyOverUSD, source: "approvals.hasty.over_usd")
            : BatchBound(usd: Self.defaultBatchBoundUSD, source: "the default, which approvals.hasty.over_usd may only lower")
    }

    /// The batch bound of a policy without `approvals.hasty`: 100,000 USD, the `over_usd` the
    /// README's example of the section names.
    public static let defaultBatchBoundUSD = FixedDecimal(100_000)!

    /// Why an approval of a large request (`isLarge`) with review time `reviewMillis` (nil: not
    /// measured) is flagged, or nil when it is not.
    public func hastiness(reviewMillis: UInt64?) -> HastyReason? {
        guard let within = hastyWithinSeconds else { return nil }
        guard let reviewMillis else { return .unmeasured }
        return reviewMillis < UInt64(within) * 1000 ? .hasty : nil
    }

    /// Why an approval was flagged for review.
    public enum HastyReason: String, Sendable, Hashable, CaseIterable, Codable {
        /// Its measured review was shorter than the policy's threshold.
        case hasty
        /// It carries no measured review (made without a prompt, e.g. `--yes`).
        case unmeasured
    }
}
