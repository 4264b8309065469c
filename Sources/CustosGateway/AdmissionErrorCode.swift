import CustosCore

/// The stable codes of `AdmissionError`.
public enum AdmissionErrorCode: String, ErrorCode {
    /// The entry does not decode as what its kind says (the reason says where).
    case inadmissible
}
