extension CallgrindProfile {
    /// The call graph below `root` unrolled into folded stacks (`root;caller;callee cost`, Brendan
    /// Gregg's format), the instructions a flame graph of one count draws.
    ///
    /// Callgrind records, for every caller → callee edge, the inclusive cost of all those calls, but
    /// not the stack above the caller — unless it separated functions by their callers
    /// (`--separate-callers=N`, ``Callgrind/callerContext``), when each context is its own node and
    /// the unrolled tree is exact down to N callers. Without contexts (or beyond N), a function
    /// several callers share is placed under each caller in proportion to that caller's edge, as
    /// gprof does; so shared code that calls different things for different callers (a generic
    /// helper every stage goes through) would smear one stage's change over all of them. Every
    /// instruction is drawn once: the stacks add up to `root`'s inclusive cost (up to rounding), with
    /// recursion folded into its first frame (a call back into a node already on the stack is a leaf).
    /// - Parameters:
    ///   - root: the symbol whose inclusive cost is drawn.
    ///   - rename: each symbol's frame name (a stage's trampoline can become the stage's name);
    ///     `;` and line breaks in names are replaced, since the format uses them.
    ///   - minimumShare: frames below this share of the root are folded into their caller's own cost.
    /// - Returns: the folded text, one `frames count` line per stack, counts rounded to whole
    ///   instructions (over the whole counted window), sorted by stack; empty when `root` did not run.
    package func folded(root: String, rename: (String) -> String, minimumShare: Double = 1e-5) -> String {
        guard let top = functions[root], top.inclusiveCost > 0 else { return "" }
        // Nodes are contexts when callgrind kept them, else functions.
        let byContext = !contextInclusive.isEmpty
        let graph = byContext ? contextCalls : calls
        func inclusive(_ node: String) -> UInt64 { byContext ? contextInclusive[node] ?? 0 : functions[node]?.inclusiveCost ?? 0 }
        let roots = byContext ? contextInclusive.keys.filter { Self.function(ofContext: $0) == root }.sorted() : [root]
        var names: [String: String] = [:]
        func frame(_ node: String) -> String {
            if let known = names[node] { return known }
            let name = String(rename(Self.function(ofContext: node)).map { $0 == ";" || $0.isNewline ? ":" : $0 })
            names[node] = name
            return name
        }
        let floor = Double(top.inclusiveCost) * Swift.max(minimumShare, 0)
        var stacks: [String: Double] = [:]
        var onPath: Set<String> = []
        // Depth-first with an explicit stack of work, so a deep call graph cannot exhaust the thread's stack.
        enum Step { case enter(node: String, path: String, flow: Double), leave(String) }
        var work: [Step] = roots.map { .enter(node: $0, path: frame($0), flow: Double(inclusive($0))) }
        while let step = work.popLast() {
            switch step {
            case .leave(let node):
                onPath.remove(node)
            case .enter(let node, let path, let flow):
                let total = Double(inclusive(node))
                // This path's share of everything the node did.
                let share = total > 0 ? Swift.min(flow / total, 1) : 0
                var own = flow
                onPath.insert(node)
                work.append(.leave(node))
                for (callee, cost) in graph[node, default: [:]].sorted(by: { $0.key < $1.key }) {
                    let part = Double(cost) * share
                    guard part >= floor, part > 0 else { continue }
                    own -= part
                    let calleePath = path + ";" + frame(callee)
                    if onPath.contains(callee) {
                        stacks[calleePath, default: 0] += part
                    } else {
                        work.append(.enter(node: callee, path: calleePath, flow: part))
                    }
                }
                // What the calls do not explain is the function's own (plus the frames too small to draw).
                if own > 0 { stacks[path, default: 0] += own }
            }
        }
        var lines: [String] = []
        for (stack, cost) in stacks.sorted(by: { $0.key < $1.key }) {
            let whole = cost.rounded()
            guard whole >= 1, whole < 1.8e19 else { continue }
            lines.append("\(stack) \(UInt64(whole))")
        }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }
}
