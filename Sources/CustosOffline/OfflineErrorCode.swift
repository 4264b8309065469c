import CustosCore

/// The stable codes of `OfflineError`: what the air-gapped signer's transport and store refuse.
public enum OfflineErrorCode: String, ErrorCode {
    /// A QR code text that is not a Custos part (a foreign code), or a part that is malformed.
    case foreignPart
    /// Parts that do not make one payload: one missing, one twice, parts of another payload, or
    /// a reassembly whose SHA-256 is not the one the parts announce (a corrupt part).
    case incompleteParts
    /// `qrencode` or `zbarimg` missing, failing, or reading no code from an image.
    case qrTool
    /// A file or directory that cannot be read or written.
    case io
    /// The signer's directory holds no signer, or one in another state than the command needs.
    case store
    /// A passphrase that does not open the sealed secrets, or none given.
    case passphrase
    /// A request this signer answered before (the one-time use is recorded).
    case alreadyAnswered
    /// Input refused: a cluster file, a bundle or an argument that is wrong.
    case invalidInput
}
