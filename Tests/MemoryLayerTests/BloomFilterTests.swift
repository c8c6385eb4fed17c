import Testing
@testable import MemoryLayer

@Suite("Bloom filter")
struct BloomFilterTests {
    @Test("never forgets an inserted digest, and grows while keeping false positives near the target")
    func scalable() {
        var bloom = ScalableBloomFilter(initialCapacity: 64, targetFalsePositiveRate: 0.01)
        let inserted = (0..<5000).map { ContentDigest(of: Array("in-\($0)".utf8)) }
        for d in inserted { bloom.insert(d) }
        #expect(inserted.allSatisfy { bloom.mightContain($0) })
        #expect(bloom.count == 5000)
        let probes = 20_000
        let falsePositives = (0..<probes).filter { bloom.mightContain(ContentDigest(of: Array("out-\($0)".utf8))) }.count
        let rate = Double(falsePositives) / Double(probes)
        #expect(rate < 0.03)
        // Growth by doubling leaves the newest stage part empty: a few bytes a digest, not the digest's 32.
        #expect(bloom.residentBytes < 5000 * 6)
    }

    @Test("an empty filter says no")
    func empty() {
        let bloom = ScalableBloomFilter()
        #expect(!bloom.mightContain(ContentDigest(of: [1, 2, 3])))
    }
}
