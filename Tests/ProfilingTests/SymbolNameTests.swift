import Synchronization
import Testing
@testable import Profiling

/// What the known functions' work after their calls goes to (an atomic add the optimiser keeps).
let knownFunctionSink = Atomic<Int>(0)

@inline(never)
func functionWithAKnownName() -> [UInt] {
    let addresses = currentStackAddresses()
    // Work after the call, so that a release build does not make it a tail call.
    knownFunctionSink.add(addresses.count, ordering: .relaxed)
    return addresses
}

@Suite struct SymbolNameTests {
    @Test(arguments: [
        ("$s14ProfilingTests23deliberatelyHotFunction10iterationsS2i_tF",
         "ProfilingTests.deliberatelyHotFunction(iterations:)"),
        ("$sSa6appendyyxnF", "Swift.Array.append(_:)"),
        ("$sSD17dictionaryLiteralSDyxq_Gx_q_td_tcfC", "Swift.Dictionary.init(dictionaryLiteral:)"),
        ("$s4main3fooyyFyycfU_", "closure #1 in main.foo()"),
        ("$sSTsE3mapySayqd__Gqd__7ElementQzKXEKlF", "Swift.Sequence.map(_:)"),
        ("$sSh8_VariantV6insertySb8inserted_x17memberAfterInserttxnFSS_Tg5", "Swift.Set._Variant.insert(_:)"),
        ("$sSa15reserveCapacityyySiFSi_Tg5", "Swift.Array.reserveCapacity(_:)"),
        ("$sSi1loiySbSi_SitFZ", "static Swift.Int.< infix(_:_:)"),
        ("$s4main1SVSQAASQ2eeoiySbx_xtFZTW", "static Swift.Equatable.== infix(_:_:) [main.S]"),
        ("$s4main3fooyyYaFTY0_", "main.foo()"),
        ("$s4main1xSivg", "main.x.getter"),
        ("$s4main3fooyyFyycfU_TA", "closure #1 in main.foo()"),
        ("$sSD8_VariantV8setValue_6forKeyyq_n_xtF", "Swift.Dictionary._Variant.setValue(_:forKey:)"),
        ("$s4main3fooyyFTf4nnd_n", "main.foo()"),
        // Private declarations carry a file discriminator: the name is inside it, not lost.
        ("$s8Pipeline13PhiCalculatorC7compute33_A1B2C3D4E5F60718293A4B5C6D7E8F90LL1k5state4gain10selfWeightSdSi_s6UInt32VS2dtF",
         "Pipeline.PhiCalculator.compute(k:state:gain:selfWeight:)"),
        ("$s8Pipeline3Foo33_A1B2C3D4E5F60718293A4B5C6D7E8F90LLV3baryyF", "Pipeline.Foo.bar()"),
        ("$s8Pipeline1x33_A1B2C3D4E5F60718293A4B5C6D7E8F90LLSivg", "Pipeline.x.getter"),
        ("$s4main3fooyyF3barL_yyF", "bar #1 in main.foo()"),
        // A propagated closure's specialisation prints an unbalanced `[Closure Propagated : …` inside
        // its `<…>`: the name after it is still found (it read "<Arg[1] = [Closure Propagated").
        ("$s10BenchModel12StageTimingsV7measureyxSi_xyq_YKXEtq_YKs5ErrorR_r0_lFs6ResultOyyt11MemoryLayer0hiF0OG_s5NeverOTg5065$s8Pipeline13EpisodeRunnerV3run_7timingsAA0B7OutcomeVs6UInt64V_10a7Model12cd3Vztq2A5f6OYKFs6g6Oyyt11H19Layer0noL0OGyXEfU5_8Pipeline0mN0VAO0mS0VTf1ncn_n",
         "BenchModel.StageTimings.measure(_:_:)"),
        ("_ZN5swift3fooEi", "swift::foo(int)"),
        ("memcpy", "memcpy"),
    ])
    func readableNames(mangled: String, expected: String) {
        #expect(Demangler().readableName(mangled) == expected)
    }

    @Test func swiftDemangleIsFoundInTheRuntime() throws {
        let full = try #require(Demangler().demangleSwift("$s14ProfilingTests23deliberatelyHotFunction10iterationsS2i_tF"))
        #expect(full == "ProfilingTests.deliberatelyHotFunction(iterations: Swift.Int) -> Swift.Int")
        #expect(Demangler().demangleSwift("not_a_swift_symbol") == nil)
    }

    @Test func liveAddressesAreNamed() throws {
        let stack = functionWithAKnownName()
        try #require(stack.count >= 2)
        var symbolizer = Symbolizer()
        // stack[0] is the return address into functionWithAKnownName, stack[1] into this test.
        #expect(symbolizer.name(of: stack[0], isReturnAddress: true) == "ProfilingTests.functionWithAKnownName()")
        #expect(symbolizer.name(of: stack[1], isReturnAddress: true).contains("liveAddressesAreNamed"))
        #expect(symbolizer.name(of: 16, isReturnAddress: false) == "[unknown]")
    }
}
