// swift-tools-version: 6.1
import PackageDescription

// jemalloc is the process allocator when the `Jemalloc` trait is on (the default), so that
// allocation counts and heap statistics come from the allocator itself. Build without it with
// `swift build --disable-default-traits`; the harness then falls back to /proc for memory figures.
let jemalloc = "Jemalloc"

let package = Package(
    name: "phibench",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "phibench", targets: ["phibench"]),
        // Benchmark your own Swift code: the Workload protocol, scenario loading, the runner and the
        // report writers (see examples/SortBenchmark).
        .library(name: "PhibenchKit", targets: ["PhibenchKit"]),
    ],
    traits: [
        .trait(name: jemalloc, description: "Link jemalloc as the allocator and read its statistics"),
        .default(enabledTraits: [jemalloc]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // Live metrics: the Prometheus registry and text exposition (served over NIOHTTP1 above).
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C libraries from the system, found with pkg-config.
        .systemLibrary(
            name: "CJemalloc", pkgConfig: "jemalloc",
            providers: [.apt(["libjemalloc-dev"])]),
        .systemLibrary(
            name: "CLZ4", pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]),
        // XXH3-128: the memory layer's dedup digest (a fraction of an instruction a byte).
        .systemLibrary(
            name: "CXXHash", pkgConfig: "libxxhash",
            providers: [.apt(["libxxhash-dev"])]),
        // nodejs/http-parser (Debian has no .pc file for it): the HTTP workload's response parser.
        .systemLibrary(
            name: "CHTTPParser",
            providers: [.apt(["libhttp-parser-dev"])]),
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(
            name: "CBlosc", pkgConfig: "blosc",
            providers: [.apt(["libblosc-dev"])]),
        // SHA-256 for the history's machine fingerprint and record ids (OpenSSL's libcrypto).
        .systemLibrary(
            name: "COpenSSLCrypto", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        // The PostgreSQL history store's client library.
        .systemLibrary(
            name: "CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),
        // The async-signal-safe part of the CPU sampler is C, on top of libunwind.
        .target(
            name: "CUnwind",
            cSettings: [.unsafeFlags(["-fno-omit-frame-pointer"])],
            linkerSettings: [.linkedLibrary("unwind")]),
        // The CPU's spin-wait hint (x86 `pause`, ARM `yield`) for the open-loop driver's last-µs wait.
        .target(name: "CPause"),
        // The memory layer's embedding quantizer: C, so that it is compiled for AVX2 beside the baseline
        // (target_clones; the loader picks one per CPU).
        .target(name: "CQuantize"),

        // Callgrind client requests and the per-stage call trampolines the instruction counter reads
        // (no-ops outside valgrind; compiled without them when valgrind's headers are absent).
        .target(name: "CValgrind"),

        // The shared vocabulary: result schema, Workload protocol, stage timings, metric catalogue.
        .target(
            name: "BenchModel",
            dependencies: ["Statistics", .product(name: "Histogram", package: "hdrhistogram-swift")]),
        // The one wrapper over jemalloc's mallctl, for the memory sampler and the heap profiler.
        .target(
            name: "Allocator",
            dependencies: [.target(name: "CJemalloc", condition: .when(traits: [jemalloc]))]),
        .target(
            name: "MemoryLayer",
            dependencies: [
                "CLZ4", "CZlib", "CBlosc", "CXXHash", "CQuantize",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Collections", package: "swift-collections"),
            ]),
        .target(
            name: "Pipeline",
            dependencies: ["BenchModel", "MemoryLayer"]),
        .target(
            name: "Harness",
            dependencies: [
                "BenchModel", "Statistics", "Allocator", "CPause",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]),
        .target(
            name: "Profiling",
            dependencies: [
                "BenchModel", "CUnwind", "CValgrind", "Allocator",
                .target(name: "CJemalloc", condition: .when(traits: [jemalloc])),
            ]),
        // Statistics: pure functions, every statistic the others use written once: median, mean, quantiles
        // and ranks, distributions, Mann–Whitney U, the bootstrap, Welch's, Yuen's and Student's t, Theil–Sen
        // slopes, the E-Divisive energy statistic, the MDE simulation, group-sequential boundaries,
        // false-discovery control.
        .target(name: "Statistics"),
        // Results across commits: records, series per machine, change points (pure, no I/O) …
        .target(
            name: "History",
            dependencies: ["BenchModel", "Statistics", "COpenSSLCrypto"]),
        // … and where they are kept: SQLite (GRDB) or PostgreSQL (libpq), one schema.
        .target(
            name: "HistoryStorage",
            dependencies: [
                "History", "BenchModel", "CLibPQ",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .target(
            name: "Reports",
            dependencies: [
                "BenchModel", "History", "Statistics",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]),
        // The gate: every verdict on a change. The before/after comparison (`phibench compare`), A/A
        // calibration, and the one A/B engine (`phibench ab`): interleaved processes of two sides,
        // sequential looks with group-sequential boundaries, family-wise false-alarm control. It produces
        // the values Reports renders (ComparisonReport).
        .target(
            name: "Gate",
            dependencies: ["BenchModel", "Statistics", "History", "Harness", "Reports"]),
        // pipe2 and posix_spawn's chdir action, which Swift's Glibc module does not expose.
        .target(name: "CSpawn"),
        // Systems under test outside phibench: worker processes (phibench-worker/1) and HTTP services.
        .target(
            name: "ExternalWorkloads",
            dependencies: [
                "BenchModel", "CSpawn", "CPause", "CHTTPParser",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]),
        // `/metrics` during run and soak: the catalogue's metrics in a Prometheus registry, fed from
        // the sampler's intervals, served by a small NIOHTTP1 server on its own event loop.
        .target(
            name: "LiveMetrics",
            dependencies: [
                "BenchModel", "Harness",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),
        // The library product: one import for a package that benchmarks its own code.
        .target(
            name: "PhibenchKit",
            dependencies: ["BenchModel", "Harness", "Reports", "Gate"]),
        .executableTarget(
            name: "SortBenchmark",
            dependencies: ["PhibenchKit"],
            path: "examples/SortBenchmark",
            exclude: ["sort.yaml"]),
        // The no-op worker (C): measures the process transport's own cost; used by tests and the README.
        .executableTarget(
            name: "phibench-noop-worker",
            path: "Tests/Fixtures/NoopWorker"),
        .executableTarget(
            name: "phibench",
            dependencies: [
                "BenchModel", "Pipeline", "MemoryLayer", "Harness", "Profiling", "Reports", "ExternalWorkloads", "History", "HistoryStorage",
                "LiveMetrics", "Gate", "Launchers", "Statistics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Launchers for distributed tests: local processes and a Kubernetes Indexed Job, each generator
        // running one execution segment (the segment arithmetic and the merge are BenchModel's and Harness's).
        .target(name: "Launchers", dependencies: ["BenchModel"]),

        // Helpers more than one test target needs (a free loopback port, a seeded generator, simulated results); not part of any product.
        .target(name: "TestSupport", dependencies: ["Statistics", "BenchModel", .product(name: "Histogram", package: "hdrhistogram-swift")],
                path: "Tests/TestSupport"),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "MemoryLayer", "BenchModel"]),
        .testTarget(name: "MemoryLayerTests", dependencies: ["MemoryLayer", "CQuantize", "TestSupport"]),
        .testTarget(name: "HarnessTests", dependencies: ["Harness", "BenchModel", "Statistics", "TestSupport"]),
        .testTarget(name: "ProfilingTests", dependencies: ["Profiling", "Reports", "BenchModel", "TestSupport"]),
        .testTarget(
            name: "ReportsTests",
            dependencies: ["Reports", "Gate", "BenchModel", "Statistics", "TestSupport", .product(name: "Histogram", package: "hdrhistogram-swift")],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "HistoryTests",
            dependencies: ["History", "HistoryStorage", "Reports", "BenchModel", "Statistics", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "StatisticsTests", dependencies: ["Statistics"]),
        .testTarget(name: "GateTests", dependencies: ["Gate", "Reports", "Statistics", "BenchModel", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["BenchModel", "TestSupport"]),
        .testTarget(name: "LiveMetricsTests", dependencies: ["LiveMetrics", "BenchModel", "Harness"]),
        .testTarget(name: "IntegrationTests", dependencies: ["BenchModel", "Harness", "Reports", "Gate"]),
        .testTarget(name: "ExternalWorkloadsTests", dependencies: ["ExternalWorkloads", "BenchModel", "Harness", "Reports", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// `make test` builds the tests in release, beside the release binary the end-to-end tests run, instead
// of a second, debug build of every dependency (2,235 targets on a fresh machine): PHIBENCH_TESTABLE=1
// compiles our own modules with -enable-testing so that the tests' `@testable import`s work there.
// Dependencies are untouched (SwiftPM allows unsafe flags in the root package only).
if Context.environment["PHIBENCH_TESTABLE"] == "1" {
    for target in package.targets where target.type != .test && target.type != .system && target.type != .binary {
        target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-enable-testing"])]
    }
}
