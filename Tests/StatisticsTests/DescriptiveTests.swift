import Statistics
import Testing

@Suite struct DescriptiveTests {
    @Test func medianAndMean() {
        #expect(Descriptive.median(sorted: [1, 2, 10]) == 2)
        #expect(Descriptive.median(sorted: [1, 2, 3, 10]) == 2.5)
        #expect(Descriptive.median([10, 1, 2]) == 2)
        #expect(Descriptive.median([]) == nil)
        #expect(Descriptive.mean([1, 2, 6]) == 3)
        #expect(Descriptive.mean([]) == 0)
    }
}
