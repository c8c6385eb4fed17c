import Yams

/// A scenario document as the loader walks it: Yams' node tree reduced to what the loader needs,
/// with every node's origin (file line, or the `--set` override that put it there).
struct DocNode {
    enum Value {
        /// Scalar text as written; `isNull` for `~`, `null` or nothing; `isString` when YAML resolves it
        /// to a string (quoted, or plain text that is not a number, bool, null or timestamp).
        case scalar(String, isNull: Bool, isString: Bool)
        case mapping([Entry])
        case sequence([DocNode])
    }

    struct Entry {
        var key: String
        var keyLocation: ScenarioLocation
        var value: DocNode

        /// Where to point for this key: its line in the file, or the override that replaced its value.
        var location: ScenarioLocation {
            if case .override = value.location.origin { return value.location }
            return keyLocation
        }
    }

    var value: Value
    var location: ScenarioLocation

    static func null(at location: ScenarioLocation) -> DocNode {
        DocNode(value: .scalar("", isNull: true, isString: false), location: location)
    }

    var isNull: Bool {
        if case .scalar(_, true, _) = value { return true }
        return false
    }

    /// How the value reads in an error message: `"10"`, `nothing`, `a list`, `a mapping`.
    var described: String {
        switch value {
        case .scalar(_, true, _): "nothing"
        case .scalar(let text, _, _): "\"\(text)\""
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }
}

// MARK: - From Yams

extension DocNode {
    /// How much of a document the loader walks: a scenario is small, and YAML aliases can make a
    /// short file expand exponentially ("billion laughs"), so values and nesting are counted.
    struct Budget {
        /// Most values (scalars, mappings, lists) a scenario may expand to.
        static let maxValues = 100_000
        /// Deepest nesting a scenario may have.
        static let maxDepth = 64
        var values = 0
    }

    /// Converts a composed Yams node. Mapping keys must be scalars; `path` names the node in errors.
    /// - Throws: ``ScenarioError/invalidValue(_:key:value:expected:)`` for a complex key, and when the
    ///   document expands past ``Budget/maxValues`` values or nests past ``Budget/maxDepth`` levels.
    init(_ node: Yams.Node, path: String, locate: (Mark?) -> ScenarioLocation) throws(ScenarioError) {
        var budget = Budget()
        try self.init(node, path: path, depth: 0, budget: &budget, locate: locate)
    }

    private init(_ node: Yams.Node, path: String, depth: Int, budget: inout Budget,
                 locate: (Mark?) -> ScenarioLocation) throws(ScenarioError) {
        let location = locate(node.mark)
        budget.values += 1
        guard budget.values <= Budget.maxValues else {
            throw .invalidValue(location, key: path.isEmpty ? "(document)" : path, value: "more than \(Budget.maxValues) values",
                                expected: "a scenario of at most \(Budget.maxValues) values (YAML aliases expanding exponentially?)")
        }
        guard depth <= Budget.maxDepth else {
            throw .invalidValue(location, key: path.isEmpty ? "(document)" : String(path.prefix(80)),
                                value: "nesting deeper than \(Budget.maxDepth) levels", expected: "at most \(Budget.maxDepth) levels")
        }
        switch node {
        case .scalar(let scalar):
            let tag = node.tag.rawValue
            self.init(value: .scalar(scalar.string, isNull: tag == Tag.Name.null.rawValue,
                                     isString: tag == Tag.Name.str.rawValue),
                      location: location)
        case .mapping(let mapping):
            var entries: [Entry] = []
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let keyScalar) = keyNode else {
                    throw .invalidValue(locate(keyNode.mark), key: path.isEmpty ? "(key)" : "\(path).(key)",
                                        value: "a complex key", expected: "a plain key such as `seed`")
                }
                let key = keyScalar.string
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                entries.append(Entry(key: key, keyLocation: locate(keyNode.mark),
                                     value: try DocNode(valueNode, path: childPath, depth: depth + 1, budget: &budget, locate: locate)))
            }
            self.init(value: .mapping(entries), location: location)
        case .sequence(let sequence):
            var items: [DocNode] = []
            for (i, item) in sequence.enumerated() {
                items.append(try DocNode(item, path: "\(path)[\(i)]", depth: depth + 1, budget: &budget, locate: locate))
            }
            self.init(value: .sequence(items), location: location)
        case .alias:
            // Yams' composer resolves aliases to the anchored node, so this is not reached from input.
            throw .invalidValue(location, key: path, value: "an alias", expected: "a value")
        }
    }
}

/// Line, column and problem text of a Yams error, without the snippet Yams appends.
func yamlProblem(_ error: any Error) -> (line: Int?, column: Int?, problem: String) {
    guard let error = error as? YamlError else { return (nil, nil, "\(error)") }
    func withContext(_ context: YamlError.Context?, _ problem: String) -> String {
        guard let context else { return problem }
        return "\(problem) (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
    }
    switch error {
    case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
         .composer(let context, let problem, let mark, _):
        return (mark.line, mark.column, withContext(context, problem))
    case .duplicatedKeysInMapping(let duplicates, let context):
        let keys = duplicates.sorted().map { "`\($0)`" }.joined(separator: ", ")
        return (context.mark.line, context.mark.column, "duplicate key \(keys) in one mapping")
    case .reader(let problem, _, _, _):
        return (nil, nil, problem)
    case .dataCouldNotBeDecoded:
        return (nil, nil, "the file is not valid UTF-8")
    default:
        return (nil, nil, error.description)
    }
}

// MARK: - Overrides

/// A parsed `--set KEY=VALUE` / `--set KEY+=VALUE`.
struct ScenarioOverride {
    enum Component: Equatable {
        case key(String)
        case index(Int)
    }

    /// The argument as given.
    var text: String
    /// `KEY` as written (without `+`); errors in the value name `--set KEY`.
    var key: String
    var path: [Component]
    var append: Bool
    var value: DocNode

    init(_ text: String) throws(ScenarioError) {
        self.text = text
        guard let eq = text.firstIndex(of: "=") else {
            throw .badOverride(text, reason: "expected KEY=VALUE or KEY+=VALUE, e.g. --set seed=7")
        }
        var key = String(text[..<eq])
        append = key.hasSuffix("+")
        if append { key.removeLast() }
        key = key.strippingBlanks
        guard !key.isEmpty else {
            throw .badOverride(text, reason: "empty KEY; expected KEY=VALUE or KEY+=VALUE, e.g. --set seed=7")
        }
        self.key = key
        path = try Self.parsePath(key, text: text)

        let valueText = String(text[text.index(after: eq)...])
        let location = ScenarioLocation.override(key)
        do {
            if let node = try Yams.compose(yaml: valueText) {
                value = try DocNode(node, path: key) { _ in location }
            } else {
                value = .null(at: location)
            }
        } catch let error as ScenarioError {
            throw error
        } catch {
            throw .badOverride(text, reason: "VALUE is not valid YAML: \(yamlProblem(error).problem)")
        }
    }

    /// `stage.limits.max` → keys; `phases[1].rate` → key, index, key.
    private static func parsePath(_ key: String, text: String) throws(ScenarioError) -> [Component] {
        var out: [Component] = []
        for segment in key.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(segment)
            let name = rest.prefix { $0 != "[" }
            rest = rest.dropFirst(name.count)
            if name.isEmpty && (out.isEmpty || rest.isEmpty) {
                throw .badOverride(text, reason: "KEY `\(key)` has an empty path segment")
            }
            if !name.isEmpty { out.append(.key(String(name))) }
            while !rest.isEmpty {
                guard rest.first == "[", let close = rest.firstIndex(of: "]"),
                      let index = Int(rest[rest.index(after: rest.startIndex)..<close]), index >= 0 else {
                    throw .badOverride(text, reason: "KEY `\(key)`: expected a list index like `phases[0]`")
                }
                out.append(.index(index))
                rest = rest[rest.index(after: close)...]
            }
        }
        return out
    }

    /// Applies this override to `root`, creating intermediate mappings as needed.
    func apply(to root: inout DocNode) throws(ScenarioError) {
        try set(path[...], in: &root, walked: "")
    }

    private func set(_ rest: ArraySlice<Component>, in node: inout DocNode, walked: String) throws(ScenarioError) {
        let here = ScenarioLocation.override(key)
        guard let first = rest.first else {
            guard append else {
                node = value
                return
            }
            switch node.value {
            case .sequence(var items):
                if case .sequence(let more) = value.value { items += more } else { items.append(value) }
                node = DocNode(value: .sequence(items), location: node.location)
            case .scalar(_, true, _):
                if case .sequence = value.value { node = value } else {
                    node = DocNode(value: .sequence([value]), location: here)
                }
            default:
                throw .badOverride(text, reason: "`\(walked)` is not a list, so `+=` cannot append to it; use `=`")
            }
            return
        }
        switch first {
        case .key(let name):
            let childPath = walked.isEmpty ? name : "\(walked).\(name)"
            var entries: [DocNode.Entry]
            switch node.value {
            case .mapping(let existing): entries = existing
            case .scalar(_, true, _): entries = []
            default:
                throw .badOverride(text, reason: "`\(walked)` is \(node.described), so it has no key `\(name)`")
            }
            if let i = entries.firstIndex(where: { $0.key == name }) {
                try set(rest.dropFirst(), in: &entries[i].value, walked: childPath)
            } else {
                var child = DocNode.null(at: here)
                try set(rest.dropFirst(), in: &child, walked: childPath)
                entries.append(DocNode.Entry(key: name, keyLocation: here, value: child))
            }
            node = DocNode(value: .mapping(entries), location: node.isNull ? here : node.location)
        case .index(let index):
            let childPath = "\(walked)[\(index)]"
            guard case .sequence(var items) = node.value else {
                throw .badOverride(text, reason: "`\(walked)` is \(node.described), not a list, so it has no `\(childPath)`")
            }
            guard index < items.count else {
                throw .badOverride(text, reason: "`\(childPath)` is out of range: `\(walked)` has \(items.count) entries")
            }
            try set(rest.dropFirst(), in: &items[index], walked: childPath)
            node = DocNode(value: .sequence(items), location: node.location)
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var strippingBlanks: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
