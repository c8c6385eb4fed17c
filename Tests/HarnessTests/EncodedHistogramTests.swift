import BenchModel
import Foundation
import Histogram
import Testing
@testable import Harness

@Suite("Encoded histograms")
struct EncodedHistogramTests {
    func sample() -> Histogram<UInt64> {
        var h = makeLatencyHistogram()
        var x: UInt64 = 12345
        for _ in 0..<10_000 {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            h.record(1_000 + (x >> 40) % 5_000_000)
        }
        return h
    }

    @Test("a histogram survives JSON: same buckets, so the same percentiles to its precision, and mergeable")
    func roundTrip() throws {
        let h = sample()
        let data = try JSONEncoder().encode(EncodedHistogram(h))
        let back = try JSONDecoder().decode(EncodedHistogram.self, from: data).histogram()
        #expect(back.totalCount == h.totalCount)
        for p in [50.0, 90, 99, 99.9, 100] {
            // Every count lands in its original bucket; only the exact max becomes its bucket's value.
            #expect(h.valuesAreEquivalent(back.valueAtPercentile(p), h.valueAtPercentile(p)), "p\(p)")
        }
        var merged = back
        merged.add(h)
        #expect(merged.totalCount == 2 * h.totalCount)
        #expect(String(decoding: data, as: UTF8.self).contains("\"counts\":\""))
    }

    @Test("the older array-of-pairs form still decodes")
    func legacyForm() throws {
        let json = #"{"lowest":1,"highest":1000000,"significant_digits":3,"total_count":3,"counts":[[100,2],[5000,1]]}"#
        let h = try JSONDecoder().decode(EncodedHistogram.self, from: Data(json.utf8)).histogram()
        #expect(h.totalCount == 3)
        #expect(h.valueAtPercentile(50) == 100)
    }

    @Test("malformed counts are an error, not a silent empty histogram")
    func malformed() {
        let json = #"{"lowest":1,"highest":1000000,"significant_digits":3,"total_count":3,"counts":"100:2 oops"}"#
        #expect(throws: DecodingError.self) {
            _ = try JSONDecoder().decode(EncodedHistogram.self, from: Data(json.utf8))
        }
    }
}
