import BenchModel
import Foundation
import Histogram
import Testing
@testable import Harness

@Suite("Encoded histograms")
struct EncodedHistogramTests {
    func sample() -> Histogram<UInt64> {
        var h = LatencyHistogram().histogram
        var x: UInt64 = 12345
        for _ in 0..<10_000 {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            _ = h.record(1_000 + (x >> 40) % 5_000_000)
        }
        return h
    }

    @Test("a histogram survives JSON: same buckets, so the same percentiles to its precision, and mergeable")
    func roundTrip() throws {
        let h = sample()
        let data = try JSONCoding.encoder([]).encode(EncodedHistogram(h))
        let back = try JSONCoding.decoder().decode(EncodedHistogram.self, from: data).histogram()
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
        let h = try JSONCoding.decoder().decode(EncodedHistogram.self, from: Data(json.utf8)).histogram()
        #expect(h.totalCount == 3)
        #expect(h.valueAtPercentile(50) == 100)
    }

    @Test("hostile histograms are refused with the range, never trap", arguments: [
        (#"{"lowest":1152921504606846976,"highest":2305843009213693952,"significant_digits":3,"total_count":0,"counts":""}"#, "impossible"),
        (#"{"lowest":1,"highest":1000,"significant_digits":3,"total_count":1,"counts":"18446744073709551615:1"}"#, "out of range"),
        (#"{"lowest":1,"highest":1000,"significant_digits":3,"total_count":0,"counts":"5:18446744073709551615 6:2"}"#, "more than"),
        (#"{"lowest":1,"highest":1000,"significant_digits":3,"total_count":5,"counts":"5:2"}"#, "add up to 2"),
        (#"{"lowest":1,"highest":1000,"significant_digits":9,"total_count":0,"counts":""}"#, "significant_digits must be 1…3"),
        (#"{"lowest":0,"highest":1000,"significant_digits":3,"total_count":0,"counts":""}"#, "impossible"),
    ])
    func hostile(json: String, message: String) throws {
        let encoded = try JSONCoding.decoder().decode(EncodedHistogram.self, from: Data(json.utf8))
        let error = #expect(throws: HistogramDecodingError.self) { try encoded.histogram() }
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
        #expect(throws: DecodingError.self) { try JSONCoding.decoder().decode(LatencyHistogram.self, from: Data(json.utf8)) }
    }

    @Test("malformed counts are an error, not a silent empty histogram")
    func malformed() {
        let json = #"{"lowest":1,"highest":1000000,"significant_digits":3,"total_count":3,"counts":"100:2 oops"}"#
        #expect(throws: DecodingError.self) {
            _ = try JSONCoding.decoder().decode(EncodedHistogram.self, from: Data(json.utf8))
        }
    }
}

@Suite("Latency statistics")
struct LatencyStatisticsTests {
    @Test("one pass gives exactly what the histogram's own percentile reads give")
    func onePassMatchesPercentiles() {
        for seed in UInt64(1)...20 {
            var h = LatencyHistogram()
            var x = seed
            for _ in 0..<(Int(seed) * 137) {
                x = x &* 6364136223846793005 &+ 1442695040888963407
                h.record(100 + (x >> 35) % (1 << (seed % 20 + 10)))
            }
            let all = h.allValues()
            for stat in LatencyStatistic.allCases {
                #expect(all[stat] == h.value(of: stat), "seed \(seed) \(stat)")
            }
        }
    }
}
