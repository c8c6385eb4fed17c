import Pipeline
import Testing

@Suite struct ConfigTests {
    @Test func defaults() throws {
        let c = try PipelineConfig(settings: [:])
        #expect(c == PipelineConfig())
    }
}
