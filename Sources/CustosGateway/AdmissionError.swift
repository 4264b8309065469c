import CustosCore

/// Why an entry was refused at submission: every node would refuse a block holding it.
public typealias AdmissionError = CustosError<AdmissionErrorCode>
