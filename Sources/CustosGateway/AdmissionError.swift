import CustosCore

/// Why an entry was refused at submission: every node would refuse a block holding it, its
/// signature does not verify against the committed state, or the queue has no room for it.
public typealias AdmissionError = CustosError<AdmissionErrorCode>
