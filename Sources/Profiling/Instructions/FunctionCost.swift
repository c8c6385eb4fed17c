import BenchModel

/// One function's instructions per counted episode, from callgrind's call graph: where in the code
/// an episode's instructions are, and so where two counts differ.
package struct FunctionCost: Sendable, Codable, Equatable {
    /// The symbol as callgrind named it (mangled): two counts' functions are matched by it.
    package var symbol: String
    /// The readable (demangled, simplified) name.
    package var name: String
    /// The stages whose trampolines reach it in the call graph, by name: several for shared code
    /// (the allocator, the runtime, a helper two stages call), none for the episode's own code.
    package var stages: [String]
    /// The one stage that reaches it, nil when several or none do.
    package var stage: String? { stages.count == 1 ? stages[0] : nil }
    /// Its own instructions per episode.
    package var selfPerEpisode: Double
    /// Its own plus its callees' instructions per episode.
    package var inclusivePerEpisode: Double
    package var callsPerEpisode: Double
    /// Its own and inclusive estimated cycles per episode, when counted with the cache simulation.
    package var selfCyclesPerEpisode: Double?
    package var inclusiveCyclesPerEpisode: Double?

    package init(symbol: String, name: String, stages: [String], selfPerEpisode: Double, inclusivePerEpisode: Double, callsPerEpisode: Double,
                selfCyclesPerEpisode: Double? = nil, inclusiveCyclesPerEpisode: Double? = nil) {
        self.symbol = symbol
        self.name = name
        self.stages = stages
        self.selfPerEpisode = selfPerEpisode
        self.inclusivePerEpisode = inclusivePerEpisode
        self.callsPerEpisode = callsPerEpisode
        self.selfCyclesPerEpisode = selfCyclesPerEpisode
        self.inclusiveCyclesPerEpisode = inclusiveCyclesPerEpisode
    }

    /// The functions of `profile` that cost at least `minimum` instructions per episode (self or
    /// inclusive, or self estimated cycles), most expensive (self) first, each with the stages whose
    /// trampolines reach it.
    /// - Parameter stages: each stage's name and its trampoline's symbol.
    static func list(profile: CallgrindProfile, stages: [(name: String, symbol: String)], episodes: UInt64,
                     minimum: Double = 0.5) -> [FunctionCost] {
        let n = Double(Swift.max(episodes, 1))
        var reachedBy: [String: Set<String>] = [:]
        for stage in stages {
            for f in profile.reachable(from: stage.symbol) { reachedBy[f, default: []].insert(stage.name) }
        }
        let demangler = Demangler()
        var list: [FunctionCost] = []
        for (symbol, f) in profile.functions {
            let selfCost = Double(f.selfCost) / n, inclusive = Double(f.inclusiveCost) / n
            let selfCycles = Double(f.selfCycles) / n, inclusiveCycles = Double(f.inclusiveCycles) / n
            guard selfCost >= minimum || inclusive >= minimum || selfCycles >= minimum else { continue }
            list.append(FunctionCost(symbol: symbol, name: demangler.readableName(symbol), stages: (reachedBy[symbol] ?? []).sorted(),
                                     selfPerEpisode: selfCost, inclusivePerEpisode: inclusive, callsPerEpisode: Double(f.calls) / n,
                                     selfCyclesPerEpisode: profile.hasCycles ? selfCycles : nil,
                                     inclusiveCyclesPerEpisode: profile.hasCycles ? inclusiveCycles : nil))
        }
        return list.sorted { ($0.selfPerEpisode, $0.symbol) > ($1.selfPerEpisode, $1.symbol) }
    }
}

/// One function's change between two instruction counts, per episode.
package struct FunctionChange: Sendable, Codable, Equatable {
    package var symbol: String
    package var name: String
    /// Where it lives: the one stage that reaches it, or, for a function several stages reach, the
    /// one of those whose own count changed most (the change happened there); nil when none did.
    package var stage: String?
    /// Self and inclusive instructions per episode before and after (0 where a side lacks it).
    package var selfBefore: Double
    package var selfAfter: Double
    package var inclusiveBefore: Double
    package var inclusiveAfter: Double
    /// The same in estimated cycles, when both counts have them.
    package var selfCyclesBefore: Double?
    package var selfCyclesAfter: Double?
    package var inclusiveCyclesBefore: Double?
    package var inclusiveCyclesAfter: Double?
    /// The ranked self change (instructions or cycles, ``InstructionComparison/rankedBy``) as a share
    /// of the episode's change of the same measure (nil when it did not move).
    package var shareOfEpisodeChange: Double?

    package var selfChange: Double { selfAfter - selfBefore }
    package var inclusiveChange: Double { inclusiveAfter - inclusiveBefore }
    package var selfCyclesChange: Double? { selfCyclesAfter.flatMap { y in selfCyclesBefore.map { y - $0 } } }
    package var inclusiveCyclesChange: Double? { inclusiveCyclesAfter.flatMap { y in inclusiveCyclesBefore.map { y - $0 } } }

    enum CodingKeys: String, CodingKey {
        case symbol, name, stage
        case selfBefore = "self_before"
        case selfAfter = "self_after"
        case inclusiveBefore = "inclusive_before"
        case inclusiveAfter = "inclusive_after"
        case selfCyclesBefore = "self_cycles_before"
        case selfCyclesAfter = "self_cycles_after"
        case inclusiveCyclesBefore = "inclusive_cycles_before"
        case inclusiveCyclesAfter = "inclusive_cycles_after"
        case shareOfEpisodeChange = "share_of_episode_change"
    }

    /// Its own count before and after, its own change and its inclusive change, in the measure a
    /// ranking uses: instructions, or estimated cycles (0 where a count has none).
    package func figures(by ranking: FunctionRanking) -> (before: Double, after: Double, change: Double, inclusiveChange: Double) {
        switch ranking {
        case .instructions: (selfBefore, selfAfter, selfChange, inclusiveChange)
        case .cycles: (selfCyclesBefore ?? 0, selfCyclesAfter ?? 0, selfCyclesChange ?? 0, inclusiveCyclesChange ?? 0)
        }
    }

    /// The change a ranking sorts by: self, then inclusive, in instructions or in estimated cycles.
    func ranked(by ranking: FunctionRanking) -> (own: Double, inclusive: Double) {
        let f = figures(by: ranking)
        return (f.change, f.inclusiveChange)
    }

    /// The name functions without a symbol are listed under together.
    static let unnamed = "(functions without a symbol)"

    /// `list` with every function callgrind could only name by its address (`0x00000000011a2270`:
    /// no symbol, no debug information) merged into one entry: an address is no name across builds —
    /// any code that moves turns each of them into one that vanished and one that appeared (seen:
    /// eight such ±94 "changes" under a change to one Swift function).
    static func unnamedMerged(_ list: [FunctionCost]) -> [FunctionCost] {
        func isAddress(_ symbol: String) -> Bool {
            symbol.count > 2 && symbol.hasPrefix("0x") && symbol.dropFirst(2).allSatisfy(\.isHexDigit)
        }
        var merged: FunctionCost?
        var out: [FunctionCost] = []
        for f in list {
            guard isAddress(f.symbol) else { out.append(f); continue }
            guard var m = merged else {
                merged = FunctionCost(symbol: unnamed, name: unnamed, stages: f.stages, selfPerEpisode: f.selfPerEpisode,
                                      inclusivePerEpisode: f.inclusivePerEpisode, callsPerEpisode: f.callsPerEpisode,
                                      selfCyclesPerEpisode: f.selfCyclesPerEpisode, inclusiveCyclesPerEpisode: f.inclusiveCyclesPerEpisode)
                continue
            }
            m.stages = Array(Set(m.stages).union(f.stages)).sorted()
            m.selfPerEpisode += f.selfPerEpisode
            m.inclusivePerEpisode += f.inclusivePerEpisode
            m.callsPerEpisode += f.callsPerEpisode
            if let x = m.selfCyclesPerEpisode, let y = f.selfCyclesPerEpisode { m.selfCyclesPerEpisode = x + y }
            if let x = m.inclusiveCyclesPerEpisode, let y = f.inclusiveCyclesPerEpisode { m.inclusiveCyclesPerEpisode = x + y }
            merged = m
        }
        if let merged { out.append(merged) }
        return out
    }

    /// The `limit` functions whose self instructions (or estimated cycles) per episode changed most
    /// (ties: inclusive), by symbol across the two lists; a function one side lacks counts as 0 there.
    /// Also returns how many changed at all.
    /// - Parameter stageChanges: each stage's change per episode (of the ranked measure), which places
    ///   a function several stages reach in the one that changed most.
    static func top(before: [FunctionCost], after: [FunctionCost], episodeChange: Double, stageChanges: [String: Double] = [:],
                    rankBy: FunctionRanking = .instructions, limit: Int = 15) -> (changes: [FunctionChange], changed: Int) {
        let old = Dictionary(unnamedMerged(before).map { ($0.symbol, $0) }, uniquingKeysWith: { a, _ in a })
        let new = Dictionary(unnamedMerged(after).map { ($0.symbol, $0) }, uniquingKeysWith: { a, _ in a })
        // Cycles when both lists have them; a function one side lacks costs nothing there, in cycles too.
        let cycles = before.contains { $0.selfCyclesPerEpisode != nil } && after.contains { $0.selfCyclesPerEpisode != nil }
        var all: [FunctionChange] = []
        for symbol in Set(old.keys).union(new.keys) {
            let a = old[symbol], b = new[symbol]
            let reaching = Set(a?.stages ?? []).union(b?.stages ?? [])
            let moved = reaching.map { ($0, abs(stageChanges[$0] ?? 0)) }.filter { $0.1 > 0 }
                .max { ($0.1, $1.0) < ($1.1, $0.0) }?.0
            let c = FunctionChange(symbol: symbol, name: (b ?? a)?.name ?? symbol, stage: reaching.count == 1 ? reaching.first : moved,
                                   selfBefore: a?.selfPerEpisode ?? 0, selfAfter: b?.selfPerEpisode ?? 0,
                                   inclusiveBefore: a?.inclusivePerEpisode ?? 0, inclusiveAfter: b?.inclusivePerEpisode ?? 0,
                                   selfCyclesBefore: cycles ? a?.selfCyclesPerEpisode ?? 0 : nil,
                                   selfCyclesAfter: cycles ? b?.selfCyclesPerEpisode ?? 0 : nil,
                                   inclusiveCyclesBefore: cycles ? a?.inclusiveCyclesPerEpisode ?? 0 : nil,
                                   inclusiveCyclesAfter: cycles ? b?.inclusiveCyclesPerEpisode ?? 0 : nil,
                                   shareOfEpisodeChange: nil)
            let r = c.ranked(by: rankBy)
            guard r.own != 0 || r.inclusive != 0 || c.selfChange != 0 || c.inclusiveChange != 0 else { continue }
            all.append(c)
        }
        all.sort {
            let (p, q) = ($0.ranked(by: rankBy), $1.ranked(by: rankBy))
            let x = (abs(p.own), abs(p.inclusive)), y = (abs(q.own), abs(q.inclusive))
            return x != y ? x > y : $0.symbol < $1.symbol
        }
        let top = all.prefix(Swift.max(0, limit)).map { c -> FunctionChange in
            var c = c
            c.shareOfEpisodeChange = episodeChange != 0 ? c.ranked(by: rankBy).own / episodeChange : nil
            return c
        }
        return (Array(top), all.count)
    }
}

/// What the top changed functions are ranked by.
package enum FunctionRanking: String, Sendable, Codable, Equatable, CaseIterable {
    /// Self instructions per episode (exact).
    case instructions
    /// Self estimated cycles per episode (needs the cache simulation on both sides).
    case cycles
}
