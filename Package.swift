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
    ],
    traits: [
        .trait(name: jemalloc, description: "Link jemalloc as the allocator and read its statistics"),
        .default(enabledTraits: [jemalloc]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // C libraries from the system, found with pkg-config.
        .systemLibrary(
            name: "CJemalloc", pkgConfig: "jemalloc",
            providers: [.apt(["libjemalloc-dev"])]),
        .systemLibrary(
            name: "CLZ4", pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        // The async-signal-safe part of the CPU sampler is C, on top of libunwind.
        .target(
            name: "CUnwind",
            cSettings: [.unsafeFlags(["-fno-omit-frame-pointer"])],
            linkerSettings: [.linkedLibrary("unwind")]),

        // The shared vocabulary: result schema, Workload protocol, stage timings, metric catalogue.
        .target(
            name: "BenchModel",
            dependencies: [.product(name: "Histogram", package: "hdrhistogram-swift")]),
        .target(
            name: "MemoryLayer",
            dependencies: [
                "BenchModel", "CLZ4", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Collections", package: "swift-collections"),
            ]),
        .target(
            name: "Pipeline",
            dependencies: ["BenchModel", "MemoryLayer"]),
        .target(
            name: "Harness",
            dependencies: [
                "BenchModel",
                .target(name: "CJemalloc", condition: .when(traits: [jemalloc])),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]),
        .target(
            name: "Profiling",
            dependencies: [
                "BenchModel", "CUnwind",
                .target(name: "CJemalloc", condition: .when(traits: [jemalloc])),
            ]),
        // Results across commits: records, series per machine, change points (pure, no I/O) …
        .target(
            name: "History",
            dependencies: ["BenchModel", .product(name: "Crypto", package: "swift-crypto")]),
        // … and where they are kept: SQLite (GRDB) or PostgreSQL (PostgresNIO), one schema.
        .target(
            name: "HistoryStorage",
            dependencies: [
                "History", "BenchModel",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]),
        .target(
            name: "Reports",
            dependencies: [
                "BenchModel", "History",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]),
        .executableTarget(
            name: "phibench",
            dependencies: [
                "BenchModel", "Pipeline", "MemoryLayer", "Harness", "Profiling", "Reports", "History", "HistoryStorage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "BenchModel"]),
        .testTarget(name: "MemoryLayerTests", dependencies: ["MemoryLayer", "BenchModel"]),
        .testTarget(name: "HarnessTests", dependencies: ["Harness", "BenchModel"]),
        .testTarget(name: "ProfilingTests", dependencies: ["Profiling", "Reports", "BenchModel"]),
        .testTarget(
            name: "ReportsTests",
            dependencies: ["Reports", "BenchModel", .product(name: "Histogram", package: "hdrhistogram-swift")]),
        .testTarget(
            name: "HistoryTests",
            dependencies: ["History", "HistoryStorage", "Reports", "BenchModel", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "CLITests", dependencies: ["BenchModel"]),
    ],
    swiftLanguageModes: [.v6]
)
