/// What a node's vault work did since start, for its health endpoint and metrics.
public struct VaultCounters: Codable, Sendable, Equatable {
    public var ceremoniesConfirmed = 0
    public var complaints = 0
    public var noncesPublished = 0
    public var presignaturesMade = 0
    public var sharesReleased = 0
    public var signaturesSubmitted = 0
    public var blames = 0
    public var signingRefusals = 0
    public var messagesSent = 0
    public var messagesRefused = 0
    public var messagesIgnored = 0
    public var offlineAttestations = 0

    public init() {}

    /// The counters in the Prometheus text format (`custos_node_vault_…`); the refill rate of
    /// the nonce pools is the rate of `custos_node_vault_nonces_published_total`, of the
    /// presignature pools that of `custos_node_vault_presignatures_made_total`.
    public var prometheusText: String {
        func counter(_ name: String, _ help: String, _ value: Int) -> String {
            "# HELP custos_node_vault_\(name) \(help)\n# TYPE custos_node_vault_\(name) counter\ncustos_node_vault_\(name) \(value)\n"
        }
        return counter("ceremonies_confirmed_total", "Key ceremonies this node confirmed since start.", ceremoniesConfirmed)
            + counter("complaints_total", "Complaints this node made about peers' key shares.", complaints)
            + counter("nonces_published_total", "FROST nonce commitments this node published to its pools.", noncesPublished)
            + counter("presignatures_made_total", "ECDSA presignatures this node made and stored (each signs only once the log pools it).",
                      presignaturesMade)
            + counter("shares_released_total", "Signature shares this node released (each after recording its nonce's use).", sharesReleased)
            + counter("signatures_submitted_total", "Aggregated signatures this node submitted.", signaturesSubmitted)
            + counter("blames_total", "Wrong signature shares this node proved.", blames)
            + counter("signing_refusals_total", "Signing attempts this node refused after checking its own state.", signingRefusals)
            + counter("relay_messages_sent_total", "Envelopes this node posted to the relay.", messagesSent)
            + counter("relay_messages_refused_total", "Relay envelopes this node refused (altered, misaddressed, too large).", messagesRefused)
            + counter("relay_messages_ignored_total", "Relay envelopes for sessions this node's log had not started.", messagesIgnored)
            + counter("offline_attestations_total", "Statements of offline signing attempts this node attested.", offlineAttestations)
    }
}
