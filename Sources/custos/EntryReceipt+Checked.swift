import CustosClusterAPI
import CustosCore
import CustosLedger

extension EntryReceipt {
    /// Ends the command unless the gateway acknowledged exactly `entry`, the one this command
    /// signed: otherwise what it queued (and what `GET /v1/entries/{digest}` would track) is
    /// something else, and nothing here says the signed entry will reach the log.
    func check(signed entry: Entry, what: String) {
        let expected = entry.digest.description
        guard self.entry == expected else {
            fail("the gateway acknowledged entry \(self.entry.printable(limit: 80)), not the \(what) signed here (\(expected)): it may never reach the log")
        }
    }
}
