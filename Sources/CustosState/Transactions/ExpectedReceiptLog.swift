import CustosChains

/// A log the decided call may emit that moves value out of the sender or grants authority over
/// it: an event, the contract that must emit it, its indexed topics after the signature, and its
/// data (exactly, or any 32 bytes). A receipt's log of one of the `ReceiptEvent`s passes only if it
/// matches an expectation not already used.
struct ExpectedReceiptLog: Hashable {
    enum Data: Hashable {
        case exactly([UInt8])
        /// One 32-byte word of any value (an allowance after `increaseAllowance`).
        case anyWord
    }

    let event: ReceiptEvent
    let emitter: EVM.Address
    let topics: [[UInt8]]
    let data: Data

    func matches(_ log: TransactionReceipt.Log) -> Bool {
        guard log.address == emitter, log.topics == [event.topic] + topics, log.isWhole else { return false }
        switch data {
        case .exactly(let bytes): return log.data == bytes
        case .anyWord: return log.data.count == 32
        }
    }
}
