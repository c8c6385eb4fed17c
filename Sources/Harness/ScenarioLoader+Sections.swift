import BenchModel

/// The registered workloads' sections: plain ones become dotted keys, structured ones are kept as
/// written for their provider, which one of several owners a structured section configures is read
/// from the section itself (`workload: { process: … }`).
extension ScenarioValidator {
    /// Reads every workload section the scenario has into `scenario.workload` (plain) and
    /// ``sections`` (structured).
    mutating func workloadSections(_ top: [String: DocNode.Entry], into scenario: inout Scenario) throws(ScenarioError) {
        for section in workloads.sections {
            guard let e = top[section.name], !e.value.isNull else { continue }
            guard case .mapping = e.value.value else {
                throw .invalidValue(e.value.location, key: section.name, value: e.value.described,
                                    expected: section.structured ? examples(of: section.name)
                                        : "a mapping of settings, e.g. `\(section.name): { \(section.example) }`")
            }
            if section.structured {
                sections[section.name] = try structured(e, section: section.name)
            } else {
                try flatten(e.value, key: section.name, into: &scenario.workload)
            }
        }
        // A structured section says which workload runs; another workload's section contradicts it.
        for (name, value) in sections.sorted(by: { $0.key < $1.key }) {
            let chosen = workloads.owner(ofSection: name, value: value)?.name ?? name
            let line = top[name]?.keyLocation.line ?? 1
            for section in workloads.sections where section.name != name {
                guard let other = top[section.name], !other.value.isNull else { continue }
                let owner = workloads.owner(ofSection: section.name)?.name ?? section.name
                guard owner != chosen else { continue }
                throw .rejected(other.keyLocation, key: section.name,
                                reason: "`\(section.name):` configures the built-in \(owner), but `\(name):` (line \(line)) drives the \(chosen) workload; remove one of them")
            }
        }
    }

    /// A structured section as written, every value's location noted (`workload.process[0]`), after
    /// checking that it names exactly one of its owners when it has several.
    private mutating func structured(_ entry: DocNode.Entry, section: String) throws(ScenarioError) -> SettingValue {
        let value = note(entry.value, key: section)
        let owners = workloads.owners(ofSection: section)
        guard owners.count > 1, case .mapping(let list) = entry.value.value else { return value }
        let names = owners.map(\.name)
        let named = names.filter { name in list.contains { $0.key == name } }
        let quoted = names.map { "`\($0):`" }.joined(separator: " or ")
        if named.count > 1 {
            throw .rejected(entry.value.location, key: section, reason: "give either \(quoted), not both")
        }
        if named.isEmpty {
            // Their keys, so that a misspelt setting gets its suggestion before the missing name is reported.
            let known = owners.flatMap(\.parameters).map { String($0.name.dropFirst(section.count + 1).prefix { $0 != "." && $0 != "[" }) }
            if let odd = list.first(where: { !known.contains($0.key) }) {
                throw .unknownKey(odd.keyLocation, key: "\(section).\(odd.key)",
                                  suggestion: KeySuggestion.closest(to: odd.key, among: names + known), valid: names)
            }
            throw .missingKey(entry.value.location, key: "\(section).\(names[0])",
                              hint: "\(section): names the workload it configures with one of \(quoted); expected \(examples(of: section))")
        }
        return value
    }

    /// `` `workload: { process: … }` or `workload: { http: … }` ``: each owner's example of `section`.
    private func examples(of section: String) -> String {
        workloads.owners(ofSection: section).compactMap { $0.sections.first { $0.name == section } }
            .map { "`\(section): { \($0.example) }`" }.joined(separator: " or ")
    }

    /// `node` as a ``SettingValue``, noting where each of its values came from under `key`.
    private mutating func note(_ node: DocNode, key: String) -> SettingValue {
        switch node.value {
        case .scalar(_, true, _): return .null
        case .scalar(let text, false, let isString): return .scalar(text, isString: isString)
        case .sequence(let items):
            var out: [SettingValue] = []
            for (i, item) in items.enumerated() {
                reader.note("\(key)[\(i)]", item)
                out.append(note(item, key: "\(key)[\(i)]"))
            }
            return .list(out)
        case .mapping(let entries):
            var out: [SettingEntry] = []
            for e in entries {
                reader.note("\(key).\(e.key)", e)
                out.append(SettingEntry(e.key, note(e.value, key: "\(key).\(e.key)")))
            }
            return .mapping(out)
        }
    }
}
