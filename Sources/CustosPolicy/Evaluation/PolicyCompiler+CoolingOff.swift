extension PolicyCompiler {
    /// Every tag and counterparty `cooling_off` names is one of an address-book entry: a
    /// misspelt override would silently leave its entries on the default delay.
    mutating func checkCoolingOff() {
        guard let section = document.coolingOff else { return }
        for (settings, interner, what) in [(section.tags, parts.tags, "tag"), (section.counterparties, parts.counterparties, "counterparty")] {
            for setting in settings where interner.lookup(setting.name.value) < 0 {
                let hint = NodeReader.closest(setting.name.value, in: interner.names).map { "; did you mean '\($0)'?" } ?? ""
                error(.unknownReference, setting.name.location,
                      "cooling_off names \(what) '\(setting.name.value)' that no address book entry has\(hint)")
            }
        }
    }
}
