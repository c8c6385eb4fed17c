/// "Did you mean …?" for misspelt keys, kinds, stages and metrics.
public enum KeySuggestion {
    /// The candidate closest to `word` by edit distance (adjacent transpositions count once), if close
    /// enough to be a likely typo: a case-only difference, or at most 1 edit for short words and 2 for longer.
    public static func closest(to word: String, among candidates: [String]) -> String? {
        // A long word is no typo of a key, and the distance grows with the product of the lengths.
        guard word.count <= 200 else { return nil }
        if let same = candidates.first(where: { $0.lowercased() == word.lowercased() }) { return same }
        let limit = word.count <= 3 ? 1 : 2
        var best: (String, Int)?
        for candidate in candidates {
            let d = editDistance(word, candidate)
            if d <= limit, d < (best?.1 ?? .max) { best = (candidate, d) }
        }
        return best?.0
    }

    /// Optimal-string-alignment distance between `a` and `b`.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
