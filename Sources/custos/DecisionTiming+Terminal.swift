import CustosCore
import CustosState
import Foundation

extension DecisionTiming {
    /// Asks the person at the terminal to type `word` to sign with `credentialFile`, and returns
    /// the timing to sign into the decision: this machine's clock now and the review, measured
    /// from the item shown (this call comes right after it) to the word typed. With `yes`
    /// (scripts) nothing is asked and the review is not measured. Fails, signing nothing, when
    /// another word is typed or, without `yes`, stdin is no terminal (`notAtTerminal` says what
    /// to do). `clockOffset` (tests only) moves the clock as a test cluster's processes move it.
    static func confirmed(
        _ word: String, with credentialFile: String, yes: Bool, notAtTerminal: String, clockOffset: UnsafeClockOffset? = nil
    ) -> DecisionTiming {
        var review: UInt64?
        if !yes {
            guard isatty(STDIN_FILENO) == 1 else { fail(notAtTerminal) }
            let shown = ContinuousClock.now
            say("Type \(word) to sign with \(credentialFile):")
            guard readLine()?.trimmingCharacters(in: .whitespaces) == word else { fail("not signed") }
            let elapsed = (ContinuousClock.now - shown).components
            review = UInt64(max(0, elapsed.seconds)) * 1000 + UInt64(max(0, elapsed.attoseconds) / 1_000_000_000_000_000)
        }
        let wall = UInt64(max(0, Date().timeIntervalSince1970 * 1000))
        return DecisionTiming(signedAt: clockOffset?.adjusting(wall) ?? wall, reviewMillis: review)
    }
}
